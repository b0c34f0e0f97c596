namespace Ledger.Sync;

/// <summary>Why a relay refused an op.</summary>
public enum IngestRefusal
{
    /// <summary>The bytes are not a signed op.</summary>
    Malformed = 1,

    /// <summary>Signed for another ledger.</summary>
    WrongLedger,

    /// <summary>The author's previous op is missing: send from <see cref="IngestResult.SendFromSeq"/>.</summary>
    Gap,

    /// <summary>Another op with the same author and seq is stored: kept as ClientFork evidence.</summary>
    Fork,

    /// <summary>Breaks the author's chain (bad signature, wrong prev, stale or wrong key …): see <see cref="IngestResult.Break"/>.</summary>
    InvalidChain,

    /// <summary>An earlier op of the same author in this batch was refused.</summary>
    AfterRefused,

    /// <summary>The relay's store is full; retry later.</summary>
    StoreFull,

    /// <summary>The batch is larger than the relay accepts.</summary>
    BatchTooLarge,
}
