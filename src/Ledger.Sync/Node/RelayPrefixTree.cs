using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>Rebuilds, while a node opens, the witness's Merkle tree of the relay prefix the node holds (positions 0 to
/// its cursor) from the store's records, which come in the order they were stored — not the relay's order: an own op
/// is stored when it is signed and gets its position when pushed, so the others' ops pulled after it hold smaller
/// positions. A leaf that arrives before its turn waits here until the positions before it are in. A device
/// bootstrapped from a relay checkpoint starts from the tree of the prefix it was given (<paramref name="start"/>).</summary>
internal sealed class RelayPrefixTree(long cursor, MerkleTree? start = null)
{
    private readonly Dictionary<long, Hash32> _early = [];

    public MerkleTree Tree { get; } = start ?? new();

    /// <summary>Takes one record of the store (an op with no position, or one at or past the cursor, is not in the prefix).</summary>
    public void Add(long? position, ReadOnlySpan<byte> bytes)
    {
        if (position is not { } p || p < Tree.Size || p >= cursor) return;
        var leaf = MerkleTree.LeafHash(bytes);
        if (p != Tree.Size)
        {
            _early[p] = leaf;
            return;
        }

        Tree.AppendLeafHash(leaf);
        while (_early.Remove(Tree.Size, out var next)) Tree.AppendLeafHash(next);
    }
}
