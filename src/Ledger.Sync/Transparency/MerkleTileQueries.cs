using System.Globalization;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The answers of <see cref="IRelayTreeStore"/> over a tiled tree, whatever keeps the tiles: each checks its
/// arguments against the size the store holds now and computes over the tiles the store read and checked. A store
/// supplies one <see cref="Computation"/>: read the head, pass its size to <c>check</c>, fetch the tiles
/// <see cref="MerkleTiles.Required"/> names for <c>compute</c>, check them against the head, run <c>compute</c> over
/// them.</summary>
internal static class MerkleTileQueries
{
    /// <summary>How a store runs a computation over its tiles (see the class summary).</summary>
    public delegate Task Computation(Action<long> check, Action<MerkleTiles.NodeSource> compute);

    /// <summary>MTH(D[0:size]).</summary>
    public static async Task<Hash32> RootAsync(Computation run, long size)
    {
        Hash32 root = default;
        await run(current =>
        {
            if (size < 0 || size > current) throw Error.OutOfRange(nameof(size), string.Create(CultureInfo.InvariantCulture, $"the tree has {current} leaves."));
        }, node => root = MerkleTiles.Root(size, node)).ConfigureAwait(false);
        return root;
    }

    /// <summary>The RFC 9162 inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/>.</summary>
    public static async Task<IReadOnlyList<Hash32>> InclusionProofAsync(Computation run, long index, long size)
    {
        List<Hash32> proof = [];
        await run(current =>
        {
            if (size < 1 || size > current) throw Error.OutOfRange(nameof(size), string.Create(CultureInfo.InvariantCulture, $"the tree has {current} leaves."));
            if (index < 0 || index >= size) throw Error.OutOfRange(nameof(index), "the index must lie in the tree.");
        }, node => proof = MerkleTiles.InclusionProof(index, size, node)).ConfigureAwait(false);
        return proof;
    }

    /// <summary>The RFC 9162 consistency proof from <paramref name="size1"/> to <paramref name="size2"/>.</summary>
    public static async Task<IReadOnlyList<Hash32>> ConsistencyProofAsync(Computation run, long size1, long size2)
    {
        List<Hash32> proof = [];
        await run(current =>
        {
            if (size1 < 1 || size1 > size2 || size2 > current) throw Error.OutOfRange(nameof(size1), string.Create(CultureInfo.InvariantCulture, $"0 < size1 ≤ size2 ≤ {current} is required."));
        }, node => proof = MerkleTiles.ConsistencyProof(size1, size2, node)).ConfigureAwait(false);
        return proof;
    }

    /// <summary>Up to <paramref name="count"/> hashes of complete subtrees of 2^<paramref name="level"/> leaves from the
    /// <paramref name="from"/>-th on; fewer when the tree holds fewer.</summary>
    public static async Task<IReadOnlyList<Hash32>> HashesAsync(Computation run, int level, long from, int count)
    {
        if (level < 0 || level > 63) throw Error.OutOfRange(nameof(level), "the level is 0 to 63.");
        if (from < 0) throw Error.OutOfRange(nameof(from), "the index is not negative.");
        if (count < 0) throw Error.OutOfRange(nameof(count), "the count is not negative.");
        var hashes = new List<Hash32>();
        long end = 0;
        await run(current =>
        {
            // Complete subtrees of 2^level leaves in the tree: current >> level of them.
            var complete = level >= 63 ? 0 : current >> level;
            end = from >= complete ? from : from + Math.Min(count, complete - from);
        }, node =>
        {
            hashes.Clear();
            for (var i = from; i < end; i++) hashes.Add(node(level, i));
        }).ConfigureAwait(false);
        return hashes;
    }
}
