using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>Where a relay keeps the total order, the cosignatures witnesses posted and the latest beacon per device. Every implementation passes
/// the relay-store conformance suite (Ledger.Sync.Conformance). Appends are atomic: a batch is stored whole or not
/// at all.</summary>
/// <remarks>Every call that may do I/O is asynchronous and takes a token; reads are paged (a caller names the most
/// it takes). The properties are values the store keeps current in memory: reading one never does I/O.</remarks>
public interface IRelayStore : IEvidenceStore, IBeaconStore, IDisposable
{
    /// <summary>The number of ops stored: also the next position.</summary>
    long Count { get; }

    /// <summary>Bytes the store occupies.</summary>
    long SizeBytes { get; }

    /// <summary>The size cap, if any.</summary>
    long? CapBytes { get; }

    /// <summary>The author's last stored seq and its chain hash, or null when the store holds no op of it.</summary>
    Task<(ulong Seq, Hash32 Tip)?> GetTipAsync(AuthorId author, CancellationToken cancellationToken = default);

    /// <summary>The stored op at (author, seq).</summary>
    Task<StoredOp?> FindAsync(AuthorId author, ulong seq, CancellationToken cancellationToken = default);

    /// <summary>The author's key events, in seq order.</summary>
    Task<IReadOnlyList<StoredOp>> ReadKeyEventsAsync(AuthorId author, CancellationToken cancellationToken = default);

    /// <summary>Stores ops at positions <see cref="Count"/>, <see cref="Count"/>+1, … atomically.</summary>
    /// <exception cref="StorageFullException">The batch would exceed the cap; nothing was stored.</exception>
    Task AppendAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> ops from <paramref name="fromPosition"/>, in order.</summary>
    Task<IReadOnlyList<StoredOp>> ReadAsync(long fromPosition, int max, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> ops of one author from <paramref name="fromSeq"/>, in seq order.</summary>
    Task<IReadOnlyList<StoredOp>> ReadAuthorAsync(AuthorId author, ulong fromSeq, int max, CancellationToken cancellationToken = default);

    /// <summary>Keeps a cosigned checkpoint a witness posted (the relay serves them for split-view detection; they
    /// survive a restart).</summary>
    /// <exception cref="StorageFullException">The store is at its cap; nothing was written.</exception>
    Task AddCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="max"/> cosigned checkpoints kept, oldest first.</summary>
    Task<IReadOnlyList<byte[]>> ReadCosignaturesAsync(int max, CancellationToken cancellationToken = default);

    /// <summary>Drops every cosigned checkpoint but the newest <paramref name="keep"/>. A relay serves only its newest
    /// <see cref="RelayOptions.MaxCosignatures"/> and calls this as notes arrive: every witnessing device posts a note
    /// each time its checkpoint moves, so without it the notes would outgrow the log. The default keeps everything
    /// (a store written before this member existed).</summary>
    Task TrimCosignaturesAsync(int keep, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
