namespace Ledger.Sync;

/// <summary>A relay store that keeps the posted bootstrap checkpoints (the latest per author: bounded by the members)
/// so they survive a restart. A store that does not implement it leaves the relay keeping them in memory.</summary>
public interface IBootstrapCheckpointStore
{
    /// <summary>Keeps <paramref name="envelope"/> as <paramref name="author"/>'s latest bootstrap checkpoint.</summary>
    /// <exception cref="StorageFullException">The store is at its cap; nothing was written.</exception>
    Task SaveBootstrapCheckpointAsync(string author, long prefix, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default);

    /// <summary>The latest bootstrap checkpoint of each author, in author order (ordinal).</summary>
    Task<IReadOnlyList<byte[]>> ReadBootstrapCheckpointsAsync(CancellationToken cancellationToken = default);
}
