namespace Ledger.Sync;

/// <summary>A node checkpoint store in memory (tests; nodes on an <see cref="InMemoryNodeStore"/>).</summary>
public sealed class InMemoryNodeCheckpointStore : INodeCheckpointStore
{
    private NodeCheckpointRecord? _latest;

    /// <summary>Checkpoints saved so far.</summary>
    public int Saves { get; private set; }

    /// <inheritdoc />
    public Task SaveAsync(NodeCheckpointRecord checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        _latest = checkpoint with { Checkpoint = checkpoint.Checkpoint.ToArray(), Signature = checkpoint.Signature.ToArray(), Extras = checkpoint.Extras.ToArray() };
        Saves++;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<NodeCheckpointRecord?> LatestAsync(CancellationToken cancellationToken = default) => Task.FromResult(_latest);
}
