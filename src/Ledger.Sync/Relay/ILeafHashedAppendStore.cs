using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A single-writer store that keeps its own Merkle tree (SQLite) and takes, with a batch at the positions the
/// relay assigned, the leaf hashes the relay already computed before its gate (<see cref="PreparedBatch"/>), so an op
/// is not hashed again under the gate. Internal: the hashes are trusted, and only the relay computes them.</summary>
internal interface ILeafHashedAppendStore : IRelayTreeStore
{
    /// <summary><see cref="IRelayStore.AppendAsync"/>, with <paramref name="leaves"/>[i] the Merkle leaf hash of
    /// <paramref name="ops"/>[i]'s bytes.</summary>
    Task AppendAsync(IReadOnlyList<StoredOp> ops, IReadOnlyList<Hash32> leaves, CancellationToken cancellationToken);
}
