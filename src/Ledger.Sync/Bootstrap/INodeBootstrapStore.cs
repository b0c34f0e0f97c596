namespace Ledger.Sync;

/// <summary>A node store that keeps the base a device bootstrapped from (docs/sync.md, "Bootstrap of a new device"): the
/// members' checkpoints of the relay prefix, the key events of the state's authors, the relay's signed checkpoint of
/// the prefix and its leaf hashes. The store holds only the ops after the prefix, so the node reopens from this base,
/// verified again. <see cref="InMemoryNodeStore"/> and <c>SqliteNodeStore</c> implement it; a node on a store that does
/// not cannot be reopened after a bootstrap.</summary>
public interface INodeBootstrapStore
{
    /// <summary>Keeps <paramref name="bootstrapBase"/> (once, before the store's first op).</summary>
    /// <exception cref="StorageFullException">Over the cap; nothing was written.</exception>
    Task SaveBootstrapBaseAsync(ReadOnlyMemory<byte> bootstrapBase, CancellationToken cancellationToken = default);

    /// <summary>The base kept, or null for a node that was not bootstrapped.</summary>
    Task<byte[]?> LoadBootstrapBaseAsync(CancellationToken cancellationToken = default);
}
