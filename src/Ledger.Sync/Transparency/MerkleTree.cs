using System.Numerics;
using System.Security.Cryptography;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The relay's order as an RFC 9162 Merkle tree: leaf hash = SHA-256(0x00 ‖ signed op bytes),
/// interior hash = SHA-256(0x01 ‖ left ‖ right). Append-only; keeps every complete subtree's hash by level,
/// so appending costs amortised O(1) hashes and any root, inclusion or consistency proof O(log n).</summary>
/// <remarks>Not thread-safe; the relay and the node guard it with their own locks.</remarks>
public sealed class MerkleTree
{
    private readonly List<List<Hash32>> _levels = [[]];

    // A tree started from a compact frontier (FromFrontier) keeps, per level, only the nodes from _dropped[level] on:
    // the ones a later append or a root of at least Base leaves can need. Empty for a tree grown from its first leaf.
    private readonly List<long> _dropped = [0];

    /// <summary>The number of leaves.</summary>
    public long Size => _dropped[0] + _levels[0].Count;

    /// <summary>The size of the frontier this tree was started from (0 for a tree grown from its first leaf): roots of
    /// at least this many leaves can be computed; leaves, roots and proofs below it cannot.</summary>
    public long Base { get; private set; }

    /// <summary>The compact frontier of the tree of <paramref name="size"/> leaves: the hash of each complete subtree on
    /// its right edge, largest first (one per set bit of <paramref name="size"/>, so at most 63) — all that appending to
    /// it, or computing its root, needs (risk B2: a node keeps it with its checkpoints).</summary>
    public IReadOnlyList<Hash32> Frontier(long size)
    {
        if (size < Base || size > Size) throw Error.OutOfRange(nameof(size), $"the tree holds roots of {Base} to {Size} leaves.");
        var frontier = new List<Hash32>();
        for (var level = 62; level >= 0; level--)
        {
            if (((size >> level) & 1) == 1) frontier.Add(Node(level, (size >> level) - 1));
        }

        return frontier;
    }

    /// <summary>A tree of <paramref name="size"/> leaves known only by its compact frontier (<see cref="Frontier"/>): it
    /// appends and computes roots of at least <paramref name="size"/> leaves exactly as the whole tree would.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The frontier does not have one hash per set bit of the size.</exception>
    public static MerkleTree FromFrontier(long size, IReadOnlyList<Hash32> frontier)
    {
        ArgumentNullException.ThrowIfNull(frontier);
        if (size < 0 || frontier.Count != BitOperations.PopCount((ulong)size))
        {
            throw Error.OutOfRange(nameof(frontier), $"a frontier of {size} leaves holds one hash per set bit of the size, not {frontier.Count}.");
        }

        var tree = new MerkleTree { Base = size };
        tree._levels.Clear();
        tree._dropped.Clear();
        var next = 0;
        var top = size == 0 ? 0 : BitOperations.Log2((ulong)size);
        var nodes = new List<Hash32>[top + 1];
        for (var level = top; level >= 0; level--)
        {
            nodes[level] = [];
            if (((size >> level) & 1) == 1) nodes[level].Add(frontier[next++]);
        }

        for (var level = 0; level <= top; level++)
        {
            tree._levels.Add(nodes[level]);
            tree._dropped.Add((size >> level) - nodes[level].Count);
        }

        return tree;
    }

    private Hash32 Node(int level, long index)
    {
        var at = index - _dropped[level];
        if (at < 0) throw Error.OutOfRange(nameof(index), $"the tree was started from a frontier of {Base} leaves and holds nothing left of it.");
        return _levels[level][(int)at];
    }

    /// <summary>The root of the empty tree: SHA-256 of nothing.</summary>
    public static Hash32 EmptyRoot { get; } = Hash32.Sha256([]);

    /// <summary>SHA-256(0x00 ‖ <paramref name="leaf"/>).</summary>
    public static Hash32 LeafHash(ReadOnlySpan<byte> leaf)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData([0x00]);
        sha.AppendData(leaf);
        Span<byte> digest = stackalloc byte[Hash32.Length];
        sha.GetHashAndReset(digest);
        return new Hash32(digest);
    }

    /// <summary>SHA-256(0x01 ‖ <paramref name="left"/> ‖ <paramref name="right"/>).</summary>
    public static Hash32 NodeHash(Hash32 left, Hash32 right)
    {
        Span<byte> buffer = stackalloc byte[1 + (2 * Hash32.Length)];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Hash32.Length)..]);
        return Hash32.Sha256(buffer);
    }

    /// <summary>Appends a leaf by its hash.</summary>
    public void AppendLeafHash(Hash32 leafHash)
    {
        _levels[0].Add(leafHash);
        var level = 0;
        while ((_dropped[level] + _levels[level].Count) % 2 == 0)
        {
            var nodes = _levels[level];
            var parent = NodeHash(nodes[^2], nodes[^1]);
            if (_levels.Count == level + 1)
            {
                _levels.Add([]);
                _dropped.Add((_dropped[level] + nodes.Count - 2) / 2);
            }

            _levels[level + 1].Add(parent);
            level++;
        }
    }

    /// <summary>Appends a leaf by its bytes.</summary>
    public void Append(ReadOnlySpan<byte> leaf) => AppendLeafHash(LeafHash(leaf));

    /// <summary>Drops every leaf from <paramref name="size"/> on (to undo appends that failed a check).</summary>
    public void Truncate(long size)
    {
        if (size < Base || size > Size) throw Error.OutOfRange(nameof(size), $"the tree has {Size} leaves (and nothing below {Base}).");
        for (var level = 0; level < _levels.Count; level++)
        {
            var keep = (int)Math.Max(0, (size >> level) - _dropped[level]);
            var nodes = _levels[level];
            if (nodes.Count > keep) nodes.RemoveRange(keep, nodes.Count - keep);
        }
    }

    /// <summary>The leaf hash at <paramref name="index"/>.</summary>
    public Hash32 Leaf(long index) => Node(0, index);

    /// <summary>Up to <paramref name="count"/> hashes of complete subtrees of 2^<paramref name="level"/> leaves, from
    /// the <paramref name="from"/>-th on (level 0: leaf hashes); fewer when the tree holds fewer. C2SP tlog-tiles
    /// serves them as tiles (a tile of level L holds level 8·L).</summary>
    public IReadOnlyList<Hash32> Hashes(int level, long from, int count)
    {
        if (level < 0 || level > 63) throw Error.OutOfRange(nameof(level), "the level is 0 to 63.");
        if (from < 0) throw Error.OutOfRange(nameof(from), "the index is not negative.");
        if (count < 0) throw Error.OutOfRange(nameof(count), "the count is not negative.");
        if (level >= _levels.Count) return [];
        if (from < _dropped[level]) throw Error.OutOfRange(nameof(from), $"the tree was started from a frontier of {Base} leaves and holds nothing left of it.");
        var nodes = _levels[level];
        var at = from - _dropped[level];
        if (at >= nodes.Count) return [];
        var take = (int)Math.Min(count, nodes.Count - at);
        return nodes.GetRange((int)at, take);
    }

    /// <summary>The root of the first <paramref name="size"/> leaves (MTH(D[0:size])).</summary>
    public Hash32 Root(long size)
    {
        if (size < 0 || size > Size) throw Error.OutOfRange(nameof(size), $"the tree has {Size} leaves.");
        if (size < Base) throw Error.OutOfRange(nameof(size), $"the tree was started from a frontier of {Base} leaves: roots of fewer are not held.");
        return size == 0 ? EmptyRoot : Subtree(0, size);
    }

    /// <summary>The root of the whole tree.</summary>
    public Hash32 Root() => Root(Size);

    /// <summary>The RFC 9162 inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves.</summary>
    public IReadOnlyList<Hash32> InclusionProof(long index, long size)
    {
        if (size < 1 || size > Size) throw Error.OutOfRange(nameof(size), $"the tree has {Size} leaves.");
        if (index < 0 || index >= size) throw Error.OutOfRange(nameof(index), "the index must lie in the tree.");
        var proof = new List<Hash32>();
        Path(index, 0, size, proof);
        return proof;
    }

    /// <summary>The RFC 9162 consistency proof from the tree of <paramref name="size1"/> leaves to the tree of <paramref name="size2"/>.</summary>
    public IReadOnlyList<Hash32> ConsistencyProof(long size1, long size2)
    {
        if (size1 < 1 || size1 > size2 || size2 > Size) throw Error.OutOfRange(nameof(size1), $"0 < size1 ≤ size2 ≤ {Size} is required.");
        var proof = new List<Hash32>();
        if (size1 == size2) return proof;
        SubProof(size1, 0, size2, true, proof);
        return proof;
    }

    private void Path(long index, long start, long n, List<Hash32> proof)
    {
        if (n == 1) return;
        var k = LargestPowerOfTwoBelow(n);
        if (index < k)
        {
            Path(index, start, k, proof);
            proof.Add(Subtree(start + k, n - k));
        }
        else
        {
            Path(index - k, start + k, n - k, proof);
            proof.Add(Subtree(start, k));
        }
    }

    private void SubProof(long m, long start, long n, bool whole, List<Hash32> proof)
    {
        if (m == n)
        {
            if (!whole) proof.Add(Subtree(start, n));
            return;
        }

        var k = LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            SubProof(m, start, k, whole, proof);
            proof.Add(Subtree(start + k, n - k));
        }
        else
        {
            SubProof(m - k, start + k, n - k, false, proof);
            proof.Add(Subtree(start, k));
        }
    }

    /// <summary>MTH(D[start:start+n]); <paramref name="start"/> is aligned to the largest power of two ≤ n by construction.</summary>
    private Hash32 Subtree(long start, long n)
    {
        if (BitOperations.IsPow2(n))
        {
            var level = BitOperations.Log2((ulong)n);
            return Node(level, start >> level);
        }

        var k = LargestPowerOfTwoBelow(n);
        return NodeHash(Subtree(start, k), Subtree(start + k, n - k));
    }

    internal static long LargestPowerOfTwoBelow(long n) => 1L << (BitOperations.Log2((ulong)(n - 1)));
}
