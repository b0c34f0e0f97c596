namespace Ledger.Sync;

/// <summary>Where a node keeps the checkpoints of its state it writes as it goes (risk B2), so that it opens from the
/// latest one plus the tail instead of folding its whole log. Only the latest is needed. What it holds is checked on
/// open (the node's signature, the checkpoint's digest, rows against the state hash, the cut against the node's own
/// log); anything that does not verify is refused and the node replays its log instead.</summary>
public interface INodeCheckpointStore
{
    /// <summary>Keeps <paramref name="checkpoint"/> as the latest (replacing the one before).</summary>
    Task SaveAsync(NodeCheckpointRecord checkpoint, CancellationToken cancellationToken = default);

    /// <summary>The latest checkpoint kept, or null.</summary>
    Task<NodeCheckpointRecord?> LatestAsync(CancellationToken cancellationToken = default);
}
