using System.Globalization;
using System.Numerics;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A tile of the relay's Merkle tree as C2SP tlog-tiles addresses it: at tile level <paramref name="Level"/>
/// (tree level 8·L) the <paramref name="Index"/>-th run of up to 256 consecutive hashes.</summary>
internal readonly record struct TileKey(int Level, long Index)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"tile {Level}/{Index}");
}

/// <summary>The Merkle tree of a relay's order kept as C2SP tlog-tiles (height 8): tile (L, N) holds the hashes of
/// the complete subtrees of 256^L leaves numbered N·256 … N·256 + 255; the rightmost tile of each level is partial.
/// Any complete subtree of 2^k leaves is a run of 2^(k mod 8) hashes of one tile at level k / 8, so a root or an RFC
/// 9162 proof needs at most a few tiles per tile level — O(log₂₅₆ n) rows — and appending a batch rewrites only the
/// right edge (one partial tile per level) and writes the tiles it completes. RFC 9162 hashing, as
/// <see cref="MerkleTree"/>; the proofs follow the same PATH and SUBPROOF recursions, written against tiles. Shared by
/// the relay stores that keep their tree (<see cref="IRelayTreeStore"/>: PostgreSQL, SQLite).</summary>
internal static class MerkleTiles
{
    public const int Height = 8;
    public const int Width = 1 << Height;
    public const int MaxLevel = 7;

    /// <summary>The hash of a complete subtree of 2^<paramref name="level"/> leaves, the <paramref name="index"/>-th.</summary>
    public delegate Hash32 NodeSource(int level, long index);

    /// <summary>How many hashes tile level <paramref name="level"/> holds in a tree of <paramref name="size"/> leaves.</summary>
    public static long Entries(long size, int level) => level * Height >= 63 ? 0 : size >> (level * Height);

    /// <summary>The index of the rightmost (possibly partial) tile of a level in a tree of <paramref name="size"/>.</summary>
    public static long EdgeIndex(long size, int level) => Entries(size, level) >> Height;

    /// <summary>The width of the rightmost tile of a level (0: the level has no partial tile).</summary>
    public static int EdgeWidth(long size, int level) => (int)(Entries(size, level) & (Width - 1));

    /// <summary>The width tile <paramref name="key"/> has in a tree of <paramref name="size"/> leaves (0: absent).</summary>
    public static int WidthAt(long size, TileKey key)
    {
        var edge = EdgeIndex(size, key.Level);
        return key.Index < edge ? Width : key.Index == edge ? EdgeWidth(size, key.Level) : 0;
    }

    /// <summary>The tiles of the right edge of a tree of <paramref name="size"/> leaves: the partial tile of every level
    /// that has one. Their hashes give the root.</summary>
    public static IEnumerable<TileKey> Edge(long size)
    {
        for (var level = 0; level <= MaxLevel; level++)
        {
            if (EdgeWidth(size, level) > 0) yield return new TileKey(level, EdgeIndex(size, level));
        }
    }

    /// <summary>The tile that holds the hashes a subtree node is computed from.</summary>
    public static TileKey TileOf(int level, long index)
    {
        var tileLevel = level / Height;
        var entry = index << (level % Height);
        return new TileKey(tileLevel, entry >> Height);
    }

    /// <summary>A node source over tiles: a complete subtree of 2^k leaves hashes up 2^(k mod 8) consecutive hashes of
    /// its tile. <paramref name="tile"/> answers a tile's hashes (at least as many as the node needs).</summary>
    public static NodeSource Nodes(Func<TileKey, IReadOnlyList<Hash32>> tile) => (level, index) =>
    {
        var span = level % Height;
        var entry = index << span;
        var hashes = tile(new TileKey(level / Height, entry >> Height));
        return HashUp(hashes, (int)(entry & (Width - 1)), 1 << span);
    };

    /// <summary>The Merkle tree hash of <paramref name="count"/> (a power of two) hashes from <paramref name="from"/>.</summary>
    public static Hash32 HashUp(IReadOnlyList<Hash32> hashes, int from, int count)
    {
        if (count == 1) return hashes[from];
        var half = count / 2;
        return MerkleTree.NodeHash(HashUp(hashes, from, half), HashUp(hashes, from + half, half));
    }

    /// <summary>MTH(D[0:size]).</summary>
    public static Hash32 Root(long size, NodeSource node) => size == 0 ? MerkleTree.EmptyRoot : Subtree(0, size, node);

    /// <summary>The RFC 9162 inclusion proof (PATH) of leaf <paramref name="index"/> in the tree of <paramref name="size"/>.</summary>
    public static List<Hash32> InclusionProof(long index, long size, NodeSource node)
    {
        var proof = new List<Hash32>();
        Path(index, 0, size, node, proof);
        return proof;
    }

    /// <summary>The RFC 9162 consistency proof (SUBPROOF) from <paramref name="size1"/> to <paramref name="size2"/>.</summary>
    public static List<Hash32> ConsistencyProof(long size1, long size2, NodeSource node)
    {
        var proof = new List<Hash32>();
        if (size1 != size2) SubProof(size1, 0, size2, true, node, proof);
        return proof;
    }

    /// <summary>The tiles a computation reads: it is run once over a source that records what it is asked for (the
    /// shape of a proof never depends on the hashes), so every tile can be fetched in one query.</summary>
    public static HashSet<TileKey> TilesRead(Action<NodeSource> computation)
    {
        var keys = new HashSet<TileKey>();
        computation((level, index) =>
        {
            keys.Add(TileOf(level, index));
            return default;
        });
        return keys;
    }

    /// <summary>The tiles a computation over a tree of <paramref name="size"/> leaves needs: the ones it reads and the
    /// ones that vouch for them (<see cref="WithWitnesses"/>).</summary>
    public static HashSet<TileKey> Required(long size, Action<NodeSource> computation) => WithWitnesses(TilesRead(computation), size);

    /// <summary>The tiles that vouch for <paramref name="keys"/> in a tree of <paramref name="size"/> leaves: each full
    /// tile's parent (the tile one level up that holds its hash), up to the right edge, and the right edge itself
    /// (whose hashes give the root the counter row records).</summary>
    public static HashSet<TileKey> WithWitnesses(IEnumerable<TileKey> keys, long size)
    {
        var all = new HashSet<TileKey>(Edge(size));
        foreach (var start in keys)
        {
            // A full tile is vouched for by its parent, up to a partial one: those are the edge, vouched for by the root.
            // (A key already in the set is an edge tile or had its parents added with it.)
            var key = start;
            while (all.Add(key) && WidthAt(size, key) == Width && key.Level < MaxLevel) key = new TileKey(key.Level + 1, key.Index >> Height);
        }

        return all;
    }

    /// <summary>Checks tiles read from a store against the tree head it records (size and root): every tile has the
    /// width the size gives it, every full tile hashes to the hash its parent holds for it, and the right edge hashes
    /// to the root. Returns what is wrong, or null. A single flipped hash anywhere in <paramref name="tiles"/> (or in the
    /// recorded root) fails one of these, so nothing damaged is served or signed.</summary>
    public static string? Verify(long size, Hash32 root, IEnumerable<TileKey> required, IReadOnlyDictionary<TileKey, Hash32[]> tiles)
    {
        if (VerifyTiles(size, required.Concat(tiles.Keys).Distinct(), k => tiles.GetValueOrDefault(k)) is { } problem) return problem;
        var computed = Root(size, Nodes(k => tiles[k]));
        return computed == root ? null
            : string.Create(CultureInfo.InvariantCulture, $"the right edge of the tree ({string.Join(", ", Edge(size))}) hashes to {computed}, not to the root {root} recorded for {size} leaves");
    }

    /// <summary>The part of <see cref="Verify"/> below the root: every tile of <paramref name="keys"/> is there with the
    /// width the size gives it, and every full one hashes to the hash its parent (as <paramref name="tile"/> answers it,
    /// when it answers) holds for it. A store that
    /// keeps the right edge in memory, checked against its head when it was loaded, checks what it reads from disk with
    /// this: a full tile is vouched for by its parent, up to the edge (<see cref="WithWitnesses"/>).</summary>
    public static string? VerifyTiles(long size, IEnumerable<TileKey> keys, Func<TileKey, IReadOnlyList<Hash32>?> tile)
    {
        var present = new List<(TileKey Key, IReadOnlyList<Hash32> Hashes)>();
        foreach (var key in keys)
        {
            if (tile(key) is not { } hashes) return string.Create(CultureInfo.InvariantCulture, $"{key} is missing (the tree has {size} leaves)");
            var width = WidthAt(size, key);
            if (hashes.Count != width)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{key} holds {hashes.Count} hashes; a tree of {size} leaves gives it {width}");
            }

            present.Add((key, hashes));
        }

        foreach (var (key, hashes) in present)
        {
            if (hashes.Count != Width || key.Level == MaxLevel) continue;
            var parent = new TileKey(key.Level + 1, key.Index >> Height);
            if (tile(parent) is not { } above) continue;
            var at = (int)(key.Index & (Width - 1));
            if (at >= above.Count || HashUp(hashes, 0, Width) != above[at])
            {
                return string.Create(CultureInfo.InvariantCulture, $"{key} does not hash to hash {at} of {parent}");
            }
        }

        return null;
    }

    private static void Path(long index, long start, long n, NodeSource node, List<Hash32> proof)
    {
        if (n == 1) return;
        var k = MerkleTree.LargestPowerOfTwoBelow(n);
        if (index < k)
        {
            Path(index, start, k, node, proof);
            proof.Add(Subtree(start + k, n - k, node));
        }
        else
        {
            Path(index - k, start + k, n - k, node, proof);
            proof.Add(Subtree(start, k, node));
        }
    }

    private static void SubProof(long m, long start, long n, bool whole, NodeSource node, List<Hash32> proof)
    {
        if (m == n)
        {
            if (!whole) proof.Add(Subtree(start, n, node));
            return;
        }

        var k = MerkleTree.LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            SubProof(m, start, k, whole, node, proof);
            proof.Add(Subtree(start + k, n - k, node));
        }
        else
        {
            SubProof(m - k, start + k, n - k, false, node, proof);
            proof.Add(Subtree(start, k, node));
        }
    }

    // MTH(D[start:start+n]); start is aligned to the largest power of two ≤ n by construction.
    private static Hash32 Subtree(long start, long n, NodeSource node)
    {
        if (BitOperations.IsPow2(n))
        {
            var level = BitOperations.Log2((ulong)n);
            return node(level, start >> level);
        }

        var k = MerkleTree.LargestPowerOfTwoBelow(n);
        return MerkleTree.NodeHash(Subtree(start, k, node), Subtree(start + k, n - k, node));
    }
}
