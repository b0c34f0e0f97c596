using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The right edge of a tiled Merkle tree — the partial tile of each level, at most 8 KiB a level — which is
/// all that appending needs: a leaf goes into the level-0 edge; a tile that fills up is complete (written once, never
/// changed again) and its hash goes into the edge one level up. Memory is O(levels), whatever the size of the tree.</summary>
internal sealed class TileEdge
{
    private readonly List<Hash32>[] _levels = new List<Hash32>[MerkleTiles.MaxLevel + 1];
    private readonly Dictionary<TileKey, Hash32[]> _completed = [];
    private readonly HashSet<TileKey> _touched = [];

    /// <summary>The edge of a tree of <paramref name="size"/> leaves from its edge tiles (verified by the caller).</summary>
    public TileEdge(long size, IReadOnlyDictionary<TileKey, Hash32[]> edge)
    {
        Size = size;
        for (var level = 0; level <= MerkleTiles.MaxLevel; level++)
        {
            _levels[level] = MerkleTiles.EdgeWidth(size, level) == 0 ? [] : [.. edge[new TileKey(level, MerkleTiles.EdgeIndex(size, level))]];
        }
    }

    /// <summary>The number of leaves.</summary>
    public long Size { get; private set; }

    /// <summary>Appends a leaf by its hash (SHA-256(0x00 ‖ op bytes)).</summary>
    public void Append(Hash32 leaf)
    {
        Size++;
        var hash = leaf;
        for (var level = 0; level <= MerkleTiles.MaxLevel; level++)
        {
            var hashes = _levels[level];
            hashes.Add(hash);
            // The hash just added is the last entry of this level.
            var key = new TileKey(level, (MerkleTiles.Entries(Size, level) - 1) >> MerkleTiles.Height);
            if (hashes.Count < MerkleTiles.Width)
            {
                _touched.Add(key);
                return;
            }

            var full = hashes.ToArray();
            _completed[key] = full;
            _touched.Remove(key);
            hashes.Clear();
            hash = MerkleTiles.HashUp(full, 0, MerkleTiles.Width);
        }
    }

    /// <summary>The root of the tree.</summary>
    public Hash32 Root() => MerkleTiles.Root(Size, MerkleTiles.Nodes(key => _levels[key.Level]));

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
}
