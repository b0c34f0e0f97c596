using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>What a relay did with one op of a batch.</summary>
public enum IngestStatus
{
    /// <summary>Stored at a new position.</summary>
    Accepted = 1,

    /// <summary>Stored before (same author, seq and hash): its original position is returned.</summary>
    Duplicate = 2,

    /// <summary>Not stored; see <see cref="IngestRefusal"/>.</summary>
    Refused = 3,
}

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

/// <summary>The relay's answer for one op of a batch.</summary>
/// <param name="Index">The op's index in the batch.</param>
/// <param name="Op">The op, when its bytes decoded.</param>
/// <param name="Status">Accepted, duplicate or refused.</param>
/// <param name="Position">The op's position in the relay order (accepted or duplicate).</param>
/// <param name="Refusal">Why it was refused.</param>
/// <param name="Break">For <see cref="IngestRefusal.InvalidChain"/>: the broken rule.</param>
/// <param name="SendFromSeq">For a gap: the seq the relay needs next.</param>
/// <param name="Detail">What exactly, for people.</param>
public sealed record IngestResult(int Index, OpRef? Op, IngestStatus Status, long? Position = null, IngestRefusal? Refusal = null,
    ChainBreak? Break = null, ulong? SendFromSeq = null, string? Detail = null)
{
    /// <summary>True when the relay holds the op (accepted now or before).</summary>
    public bool Held => Status is IngestStatus.Accepted or IngestStatus.Duplicate;
}

/// <summary>The relay's answer to a batch: one result per op, in batch order, the relay's size after it, and the
/// origin of the log the positions belong to (null from transports that do not say).</summary>
public sealed record IngestResponse(IReadOnlyList<IngestResult> Results, long RelaySize, string? Origin = null);

/// <summary>Ops served by a relay from a position.</summary>
/// <param name="Ops">(position, signed op bytes), in order.</param>
/// <param name="RelaySize">The relay's size when it answered: the caller holds the prefix once it has read up to it.</param>
/// <param name="Checkpoint">The relay-signed checkpoint of exactly the prefix the caller holds after these ops
/// (size = first position + count), when the relay signs checkpoints.</param>
/// <param name="Origin">The origin of the log the positions belong to (null from transports that do not say).</param>
public sealed record PullResponse(IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)> Ops, long RelaySize, byte[]? Checkpoint = null, string? Origin = null);
