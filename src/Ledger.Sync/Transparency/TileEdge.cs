using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The right edge of a tiled Merkle tree — the partial tile of each level, at most 8 KiB a level — which is
/// all that appending needs: a leaf goes into the level-0 edge; a tile that fills up is complete (written once, never
/// changed again) and its hash goes into the edge one level up. Memory is O(levels), whatever the size of the tree:
/// at most 8 × 255 hashes of the edge plus 8 × 8 hashes of its compact ranges, about 66 KiB.</summary>
/// <remarks>Each level also keeps the compact range of its partial tile (the hashes of the complete subtrees it
/// holds, largest first, as a binary counter merges them), so a completed tile's hash and the root cost amortised O(1)
/// hashes a leaf instead of rehashing up to 255 hashes a level each time (the root is asked for after every batch).
/// Used by the PostgreSQL and SQLite relay stores.</remarks>
internal sealed class TileEdge
{
    private readonly List<Hash32>[] _levels = new List<Hash32>[MerkleTiles.MaxLevel + 1];
    private readonly List<Hash32>[] _ranges = new List<Hash32>[MerkleTiles.MaxLevel + 1];
    private readonly Dictionary<TileKey, Hash32[]> _completed = [];
    private readonly HashSet<TileKey> _touched = [];

    /// <summary>The edge of a tree of <paramref name="size"/> leaves from its edge tiles (verified by the caller).</summary>
    public TileEdge(long size, IReadOnlyDictionary<TileKey, Hash32[]> edge)
    {
        Size = size;
        for (var level = 0; level <= MerkleTiles.MaxLevel; level++)
        {
            _levels[level] = MerkleTiles.EdgeWidth(size, level) == 0 ? [] : [.. edge[new TileKey(level, MerkleTiles.EdgeIndex(size, level))]];
            _ranges[level] = [];
            for (var i = 0; i < _levels[level].Count; i++) Merge(_ranges[level], _levels[level][i], i + 1);
        }
    }

    /// <summary>The number of leaves.</summary>
    public long Size { get; private set; }

    /// <summary>The hashes of the partial tile of tile level <paramref name="level"/> (empty when it has none).</summary>
    public IReadOnlyList<Hash32> Partial(int level) => _levels[level];

    /// <summary>Appends a leaf by its hash (SHA-256(0x00 ‖ op bytes)).</summary>
    public void Append(Hash32 leaf)
    {
        Size++;
        var hash = leaf;
        for (var level = 0; level <= MerkleTiles.MaxLevel; level++)
        {
            var hashes = _levels[level];
            hashes.Add(hash);
            var range = _ranges[level];
            Merge(range, hash, hashes.Count);
            // The hash just added is the last entry of this level.
            var key = new TileKey(level, (MerkleTiles.Entries(Size, level) - 1) >> MerkleTiles.Height);
            if (hashes.Count < MerkleTiles.Width)
            {
                _touched.Add(key);
                return;
            }

            _completed[key] = hashes.ToArray();
            _touched.Remove(key);
            hashes.Clear();
            // A full tile's range is one hash: the tile's, which goes into the level above.
            hash = range[0];
            range.Clear();
        }
    }

    /// <summary>The root of the tree: the complete subtrees of the edge, largest first, folded from the right (RFC 9162
    /// MTH of a size split into its powers of two).</summary>
    public Hash32 Root()
    {
        if (Size == 0) return MerkleTree.EmptyRoot;
        Hash32? root = null;
        for (var level = 0; level <= MerkleTiles.MaxLevel; level++)
        {
            var range = _ranges[level];
            for (var i = range.Count - 1; i >= 0; i--) root = root is { } right ? MerkleTree.NodeHash(range[i], right) : range[i];
        }

        return root!.Value;
    }

    /// <summary>The tiles written since the last call: the ones completed and, with <paramref name="partial"/>, the
    /// partial tiles that changed (as they are now). Without it, partial tiles stay pending for a later call.</summary>
    public Dictionary<TileKey, Hash32[]> Take(bool partial)
    {
        var tiles = new Dictionary<TileKey, Hash32[]>(_completed);
        _completed.Clear();
        if (!partial) return tiles;
        foreach (var key in _touched) tiles[key] = [.. _levels[key.Level]];
        _touched.Clear();
        return tiles;
    }

    // Adds the count-th hash of a tile to its compact range: as a binary counter carries, two subtrees of equal size
    // merge once per trailing zero bit of the new count.
    private static void Merge(List<Hash32> range, Hash32 hash, int count)
    {
        range.Add(hash);
        for (var c = count; (c & 1) == 0; c >>= 1)
        {
            var right = range[^1];
            var left = range[^2];
            range.RemoveRange(range.Count - 2, 2);
            range.Add(MerkleTree.NodeHash(left, right));
        }
    }
}
