using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>Where a device node keeps every op it holds — its own chain forever, and for every op the relay
/// position — plus its pull cursor. Every implementation passes the node-store conformance suite
/// (Ledger.Sync.Conformance). Writes are atomic: a batch is stored whole or not at all, and a write over the cap
/// changes nothing.</summary>
/// <remarks>Every call that may do I/O is asynchronous and takes a token, and reads are paged, so a store may live
/// across a network. The properties are values the store keeps current in memory (read when it opened, updated by
/// its own writes): reading one never does I/O. A node never calls a store while it holds one of its locks.</remarks>
public interface INodeStore : IEvidenceStore, IDisposable
{
    /// <summary>The next relay position to pull (the node holds the relay prefix below it).</summary>
    long Cursor { get; }

    /// <summary>Bytes the store occupies.</summary>
    long SizeBytes { get; }

    /// <summary>The size cap, if any.</summary>
    long? CapBytes { get; }

    /// <summary>The origin of the relay log that <see cref="Cursor"/> and every stored position refer to; null until
    /// the node first heard from a relay that names itself.</summary>
    string? RelayOrigin { get; }

    /// <summary>The highest own seq this store ever committed, kept where a rollback of the store's data does not reach
    /// (SQLite: a side file, since a lost or damaged <c>-wal</c> silently takes the last commits with it); null when the
    /// store keeps no such record. A node whose store holds fewer own ops than this was rolled back: it fetches its own
    /// ops back from the relay before it signs again, so it never signs a seq it already used.</summary>
    OwnHighWater? OwnHighWater => null;

    /// <summary>True when the store holds no op.</summary>
    Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default);

    /// <summary>Every op held, in the order the node applied them (a legal order), read a page at a time: a caller
    /// that folds as it reads never has more than one page in memory.</summary>
    IAsyncEnumerable<NodeOpRecord> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>The bytes of <paramref name="ops"/>, in the order asked. A node keeps only a ladder record per own op in
    /// memory (its signed bytes would make every own op ever signed live on the heap); pushing reads the bytes here.</summary>
    /// <exception cref="KeyNotFoundException">One of them is not held.</exception>
    Task<IReadOnlyList<ReadOnlyMemory<byte>>> LoadAsync(IReadOnlyList<OpRef> ops, CancellationToken cancellationToken = default);

    /// <summary>Stores new ops and, when given, the new cursor, in one transaction.</summary>
    /// <exception cref="StorageFullException">Over the cap; nothing was written.</exception>
    Task AppendAsync(IReadOnlyList<NodeOpRecord> ops, long? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>Records the relay positions of ops already held (acknowledgements), atomically.</summary>
    Task SetPositionsAsync(IReadOnlyList<(OpRef Op, long Position)> positions, CancellationToken cancellationToken = default);

    /// <summary>Records that the relay refused an own op.</summary>
    Task MarkRefusedAsync(OpRef op, string reason, CancellationToken cancellationToken = default);

    /// <summary>Replaces the latest checkpoint witnessed for a relay origin (the caller only ever moves it forward).</summary>
    Task SaveWitnessAsync(string origin, ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default);

    /// <summary>The latest checkpoint witnessed per relay origin.</summary>
    Task<IReadOnlyDictionary<string, byte[]>> LoadWitnessesAsync(CancellationToken cancellationToken = default);

    /// <summary>Records the relay log the positions refer to (set once, or when a rebuilt successor takes over).</summary>
    Task SetRelayOriginAsync(string origin, CancellationToken cancellationToken = default);
}
