using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A node store that numbers its records 1, 2, … in the order they were stored and reads from a number on, so
/// that a node opening from one of its checkpoints reads only the records stored after it (risk B2; docs/sync.md,
/// "Node checkpoints"). <see cref="InMemoryNodeStore"/> and <c>SqliteNodeStore</c> implement it; a node on a store that
/// does not reads its whole log at every open.</summary>
public interface INodeTailStore
{
    /// <summary>The number of the last record stored (0 when none): a value kept in memory, never I/O.</summary>
    long LastRecord { get; }

    /// <summary>The records numbered after <paramref name="after"/>, in stored order, a page at a time.</summary>
    IAsyncEnumerable<NodeOpRecord> ReadAfterAsync(long after, CancellationToken cancellationToken = default);

    /// <summary>The own records of <paramref name="author"/> with a seq above <paramref name="afterSeq"/>, in seq order,
    /// a page at a time (the own ops a node's ladder has not compacted).</summary>
    IAsyncEnumerable<NodeOpRecord> ReadOwnAfterAsync(AuthorId author, ulong afterSeq, CancellationToken cancellationToken = default);
}
