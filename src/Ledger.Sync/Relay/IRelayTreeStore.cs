using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A relay store that keeps the Merkle tree of its order itself, extended in the same transaction that stores
/// each batch (PostgreSQL keeps it as C2SP tlog-tiles). A <see cref="Relay"/> over such a store holds no tree in
/// memory: it asks the store for roots, proofs and tile hashes, so every relay instance over one database signs the
/// same checkpoint for a size and a new instance starts without reading the log. Every answer is the one
/// <see cref="MerkleTree"/> gives over the same order (RFC 9162 hashing); sizes are checked against what the store
/// holds now, not against <see cref="IRelayStore.Count"/>.</summary>
/// <remarks>A store must never answer from a tree it has silently lost or damaged: it checks what it reads against the
/// tree head it recorded and throws <see cref="StoreDamagedException"/> instead, so a relay never signs over it.</remarks>
public interface IRelayTreeStore : IRelayStore
{
    /// <summary>The Merkle root of the first <paramref name="size"/> ops (MTH(D[0:size])).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative or beyond the log.</exception>
    /// <exception cref="StoreDamagedException">The stored tree does not agree with itself or with its recorded head.</exception>
    Task<Hash32> GetRootAsync(long size, CancellationToken cancellationToken = default);

    /// <summary>The RFC 9162 inclusion proof of the op at <paramref name="index"/> in the tree of <paramref name="size"/> ops.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index or size is out of range.</exception>
    /// <exception cref="StoreDamagedException">The stored tree does not agree with itself or with its recorded head.</exception>
    Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default);

    /// <summary>The RFC 9162 consistency proof from the tree of <paramref name="size1"/> ops to the tree of <paramref name="size2"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sizes are out of order or beyond the log.</exception>
    /// <exception cref="StoreDamagedException">The stored tree does not agree with itself or with its recorded head.</exception>
    Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="count"/> hashes of complete subtrees of 2^<paramref name="level"/> ops from the
    /// <paramref name="from"/>-th on (level 0: leaf hashes); fewer when the tree holds fewer (as
    /// <see cref="MerkleTree.Hashes"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The level, index or count is out of range.</exception>
    /// <exception cref="StoreDamagedException">The stored tree does not agree with itself or with its recorded head.</exception>
    Task<IReadOnlyList<Hash32>> GetTreeHashesAsync(int level, long from, int count, CancellationToken cancellationToken = default);
}
