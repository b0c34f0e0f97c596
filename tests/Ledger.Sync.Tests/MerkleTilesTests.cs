using Ledger.Kernel;

namespace Ledger.Sync.Tests;

/// <summary>The tile math the PostgreSQL and SQLite relay stores keep their Merkle trees with, without a database: tiles appended in random
/// batches give the roots, proofs and hashes of the in-memory <see cref="MerkleTree"/>; any root or proof reads a few
/// tiles per tile level; a flipped hash in any tile, or in the recorded root, fails the check against the head.</summary>
public sealed class MerkleTilesTests
{
    [Fact]
    [Trait("Risk", "B1")]
    public void Tiles_appended_in_random_batches_give_the_roots_proofs_and_hashes_of_the_in_memory_tree()
    {
        var rng = new Random(18);
        var reference = new MerkleTree();
        var tiles = new Dictionary<TileKey, Hash32[]>();
        var edge = new TileEdge(0, tiles);
        // Past 256² leaves, so level-2 tiles exist and every level has partial and full tiles.
        while (edge.Size < 70_000)
        {
            var batch = rng.Next(3) == 0 ? rng.Next(1, 4) : rng.Next(1, 3000);
            for (var i = 0; i < batch; i++)
            {
                var leaf = MerkleTree.LeafHash(BitConverter.GetBytes(rng.NextInt64()));
                edge.Append(leaf);
                reference.AppendLeafHash(leaf);
            }

            // What the store writes: the tiles each batch completed or changed, replacing partial ones.
            foreach (var (key, hashes) in edge.Take(partial: true)) tiles[key] = hashes;
            var size = edge.Size;
            Assert.Equal(reference.Root(), edge.Root());
            Assert.Null(MerkleTiles.Verify(size, reference.Root(), MerkleTiles.Edge(size), Current(tiles, size)));
            var nodes = MerkleTiles.Nodes(k => tiles[k]);
            for (var probe = 0; probe < 3; probe++)
            {
                var s1 = rng.NextInt64(1, size + 1);
                var s2 = rng.NextInt64(s1, size + 1);
                var index = rng.NextInt64(0, s2);
                Assert.Equal(reference.Root(s1), MerkleTiles.Root(s1, nodes));
                Assert.Equal(reference.InclusionProof(index, s2), MerkleTiles.InclusionProof(index, s2, nodes));
                Assert.Equal(reference.ConsistencyProof(s1, s2), MerkleTiles.ConsistencyProof(s1, s2, nodes));
            }
        }

        // Every node of every level, from the tiles: what the HTTP relay serves as tiles.
        var n = edge.Size;
        var all = MerkleTiles.Nodes(k => tiles[k]);
        foreach (var level in new[] { 0, 3, 8, 11, 16 })
        {
            var count = (int)(n >> level);
            Assert.Equal(reference.Hashes(level, 0, count), Enumerable.Range(0, count).Select(i => all(level, i)).ToArray());
        }
    }

    [Theory]
    [Trait("Risk", "B1")]
    [InlineData(1_000_000L)]
    [InlineData(1L << 40)]
    public void A_root_or_proof_reads_a_few_tiles_per_tile_level_with_the_tiles_that_vouch_for_them(long size)
    {
        var rng = new Random(19);
        var levels = 0;
        while (MerkleTiles.Entries(size, levels) > 0) levels++;
        var most = 0;
        for (var probe = 0; probe < 200; probe++)
        {
            var s1 = rng.NextInt64(1, size + 1);
            var s2 = rng.NextInt64(s1, size + 1);
            var index = rng.NextInt64(0, s2);
            foreach (Action<MerkleTiles.NodeSource> computation in new Action<MerkleTiles.NodeSource>[]
            {
                node => MerkleTiles.Root(s1, node),
                node => MerkleTiles.InclusionProof(index, s2, node),
                node => MerkleTiles.ConsistencyProof(s1, s2, node),
            })
            {
                most = Math.Max(most, MerkleTiles.WithWitnesses(MerkleTiles.TilesRead(computation), size).Count);
            }
        }

        // The proof's tiles (at most two paths), their parents, the right edge: a handful per tile level, never a scan.
        Assert.InRange(most, 1, 4 * levels);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_flipped_hash_in_any_tile_or_in_the_recorded_root_fails_the_check_against_the_head()
    {
        var rng = new Random(20);
        var tiles = new Dictionary<TileKey, Hash32[]>();
        var edge = new TileEdge(0, tiles);
        for (var i = 0; i < 66_000; i++) edge.Append(MerkleTree.LeafHash(BitConverter.GetBytes(i)));
        foreach (var (key, hashes) in edge.Take(partial: true)) tiles[key] = hashes;
        var size = edge.Size;
        var root = edge.Root();

        // Every tile of levels 1 and 2 and a sample of level 0 (the edge, the first and last full ones, some between).
        var keys = tiles.Keys.Where(k => k.Level > 0 || k.Index < 2 || k.Index >= MerkleTiles.EdgeIndex(size, 0) - 1 || rng.Next(16) == 0).ToArray();
        foreach (var key in keys)
        {
            var damaged = new Dictionary<TileKey, Hash32[]>(tiles);
            var hashes = (Hash32[])tiles[key].Clone();
            var at = rng.Next(hashes.Length);
            var bytes = hashes[at].ToArray();
            bytes[rng.Next(32)] ^= (byte)(1 << rng.Next(8));
            hashes[at] = new Hash32(bytes);
            damaged[key] = hashes;
            // The tiles a proof through the damaged tile reads: it and what vouches for it.
            var required = MerkleTiles.WithWitnesses([key], size);
            var problem = MerkleTiles.Verify(size, root, required, required.ToDictionary(k => k, k => damaged[k]));
            Assert.NotNull(problem);
        }

        var flippedRoot = root.ToArray();
        flippedRoot[0] ^= 1;
        Assert.NotNull(MerkleTiles.Verify(size, new Hash32(flippedRoot), MerkleTiles.Edge(size), Current(tiles, size)));
        Assert.Null(MerkleTiles.Verify(size, root, MerkleTiles.Edge(size), Current(tiles, size)));
    }

    // The edge tiles of the tree as stored.
    private static Dictionary<TileKey, Hash32[]> Current(Dictionary<TileKey, Hash32[]> tiles, long size) =>
        MerkleTiles.Edge(size).ToDictionary(k => k, k => tiles[k]);
}
