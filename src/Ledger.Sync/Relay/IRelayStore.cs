using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>Where a relay keeps the total order. Every implementation passes the relay-store conformance
/// suite (tests/Ledger.Sync.Tests). Appends are atomic: a batch is stored whole or not at all.</summary>
public interface IRelayStore : IEvidenceStore, IDisposable
{
    /// <summary>The number of ops stored: also the next position.</summary>
    long Count { get; }

    /// <summary>Bytes the store occupies.</summary>
    long SizeBytes { get; }

    /// <summary>The size cap, if any.</summary>
    long? CapBytes { get; }

    /// <summary>The author's last stored seq and its chain hash.</summary>
    bool TryGetTip(AuthorId author, out ulong seq, out Hash32 tip);

    /// <summary>The stored op at (author, seq).</summary>
    StoredOp? Find(AuthorId author, ulong seq);

    /// <summary>The author's key events, in seq order.</summary>
    IReadOnlyList<StoredOp> KeyEvents(AuthorId author);

    /// <summary>Stores ops at positions <see cref="Count"/>, <see cref="Count"/>+1, … atomically.</summary>
    /// <exception cref="StorageFullException">The batch would exceed the cap; nothing was stored.</exception>
    void Append(IReadOnlyList<StoredOp> ops);

    /// <summary>Up to <paramref name="max"/> ops from <paramref name="fromPosition"/>, in order.</summary>
    IReadOnlyList<StoredOp> Read(long fromPosition, int max);

    /// <summary>Up to <paramref name="max"/> ops of one author from <paramref name="fromSeq"/>, in seq order.</summary>
    IReadOnlyList<StoredOp> ReadAuthor(AuthorId author, ulong fromSeq, int max);
}
