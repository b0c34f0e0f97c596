using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A shared store that keeps its own Merkle tree and takes, with a batch, the leaf hashes the relay already
/// computed (<see cref="PreparedBatch"/> hashes each op's bytes before the gate, the very bytes the store keeps), so an
/// op is not hashed twice on its way in. Internal: the hashes are trusted, and only the relay computes them.</summary>
internal interface ILeafHashedRelayStore : ISharedRelayStore
{
    /// <summary><see cref="ISharedRelayStore.AppendSequencedAsync"/>, with <paramref name="leaves"/>[i] the Merkle
    /// leaf hash of <paramref name="ops"/>[i]'s bytes.</summary>
    Task<long> AppendSequencedAsync(IReadOnlyList<StoredOp> ops, IReadOnlyList<Hash32> leaves, CancellationToken cancellationToken);
}
