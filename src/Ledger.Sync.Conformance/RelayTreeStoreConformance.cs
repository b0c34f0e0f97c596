using Ledger.Kernel;
using Xunit;

namespace Ledger.Sync.Conformance;

/// <summary>The contract of <see cref="IRelayTreeStore"/>, as xunit facts: every root, inclusion proof, consistency
/// proof and run of tree hashes the store answers equals <see cref="MerkleTree"/>'s over the same order (RFC 9162), at
/// many sizes (powers of two, one either side of them, and sizes between) and after the store is opened again. Derive it
/// in a test project, return a new, empty store from <see cref="Create"/> and the same store opened again from
/// <see cref="Reopen"/>.</summary>
public abstract class RelayTreeStoreConformance
{
    /// <summary>A new, empty store.</summary>
    protected abstract IRelayTreeStore Create();

    /// <summary>The same store opened again after <paramref name="closed"/> was disposed.</summary>
    protected abstract IRelayTreeStore Reopen(IRelayTreeStore closed);

    /// <summary>Stores a batch at the end of the order. By default <see cref="IRelayStore.AppendAsync"/> with positions
    /// from <see cref="IRelayStore.Count"/>; a shared store may sequence it itself.</summary>
    protected virtual Task AppendAsync(IRelayTreeStore store, IReadOnlyList<StoredOp> ops) => store.AppendAsync(ops);

    // Past 256² ops, so the tree has tiles of three levels (C2SP tlog-tiles are 256 wide): each size a batch ends at.
    private static readonly long[] Targets = [1, 2, 3, 7, 8, 9, 255, 256, 257, 511, 512, 513, 1000, 4095, 4096, 4097, 65_535, 65_536, 65_537, 70_000];

    /// <summary>Roots after every batch, and at the end roots of every size a batch ended at, random inclusion and
    /// consistency proofs and runs of hashes at several levels equal the in-memory tree's — before and after a reopen.</summary>
    [Fact]
    public async Task Roots_proofs_and_tree_hashes_equal_the_in_memory_trees_at_many_sizes_and_after_a_reopen()
    {
        var rng = new Random(41);
        var reference = new MerkleTree();
        var ops = new Ops(rng);
        var store = Create();
        try
        {
            Assert.Equal(MerkleTree.EmptyRoot, await store.GetRootAsync(0));
            Assert.Empty(await store.GetTreeHashesAsync(0, 0, 10));
            var sizes = new List<long>();
            foreach (var target in Targets)
            {
                while (store.Count < target)
                {
                    var room = target - store.Count;
                    var batch = ops.Next(store.Count, (int)Math.Min(room, rng.Next(3) == 0 ? rng.Next(1, 4) : rng.Next(1, 3000)));
                    await AppendAsync(store, batch);
                    foreach (var op in batch) reference.Append(op.Bytes.Span);
                    Assert.Equal(reference.Size, store.Count);
                    Assert.Equal(reference.Root(), await store.GetRootAsync(store.Count));
                    sizes.Add(store.Count);
                }
            }

            await CheckAsync(store, reference, sizes, rng);
            store.Dispose();
            store = Reopen(store);
            Assert.Equal(reference.Size, store.Count);
            await CheckAsync(store, reference, sizes, rng);

            // And it goes on from where it was.
            var more = ops.Next(store.Count, 300);
            await AppendAsync(store, more);
            foreach (var op in more) reference.Append(op.Bytes.Span);
            Assert.Equal(reference.Root(), await store.GetRootAsync(store.Count));
            Assert.Equal(reference.ConsistencyProof(70_000, store.Count), await store.GetConsistencyProofAsync(70_000, store.Count));
        }
        finally
        {
            store.Dispose();
        }
    }

    /// <summary>Sizes, indexes, levels and counts outside the tree are <see cref="ArgumentOutOfRangeException"/>;
    /// hashes past the end are an empty run.</summary>
    [Fact]
    public async Task Arguments_outside_the_tree_are_refused_and_hashes_past_its_end_are_empty()
    {
        using var store = Create();
        var batch = new Ops(new Random(42)).Next(0, 300);
        await AppendAsync(store, batch);
        var n = store.Count;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetRootAsync(n + 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetRootAsync(-1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetInclusionProofAsync(n, n));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetInclusionProofAsync(0, n + 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetConsistencyProofAsync(0, n));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetConsistencyProofAsync(5, 4));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetTreeHashesAsync(-1, 0, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetTreeHashesAsync(0, -1, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetTreeHashesAsync(0, 0, -1));
        Assert.Empty(await store.GetTreeHashesAsync(0, n, 10));
        Assert.Empty(await store.GetTreeHashesAsync(9, 0, 10));
        Assert.Single(await store.GetTreeHashesAsync(8, 0, 10));
    }

    private static async Task CheckAsync(IRelayTreeStore store, MerkleTree reference, List<long> sizes, Random rng)
    {
        var n = store.Count;
        foreach (var size in sizes) Assert.Equal(reference.Root(size), await store.GetRootAsync(size));
        foreach (var size in Targets) Assert.Equal(reference.Root(size), await store.GetRootAsync(size));
        for (var probe = 0; probe < 60; probe++)
        {
            var s1 = rng.NextInt64(1, n + 1);
            var s2 = rng.NextInt64(s1, n + 1);
            var index = rng.NextInt64(0, s2);
            Assert.Equal(reference.InclusionProof(index, s2), await store.GetInclusionProofAsync(index, s2));
            Assert.Equal(reference.ConsistencyProof(s1, s2), await store.GetConsistencyProofAsync(s1, s2));
        }

        foreach (var (s1, s2) in new[] { (1L, n), (256, 65_536), (255, 257), (65_536, n), (n, n) })
        {
            Assert.Equal(reference.ConsistencyProof(s1, s2), await store.GetConsistencyProofAsync(s1, s2));
            Assert.Equal(reference.InclusionProof(s1 - 1, s2), await store.GetInclusionProofAsync(s1 - 1, s2));
        }

        foreach (var (level, from) in new[] { (0, 0L), (0, n - 300), (0, 65_530), (8, 0L), (8, 200), (16, 0), (3, 7), (1, 32_767) })
        {
            Assert.Equal(reference.Hashes(level, from, 256), await store.GetTreeHashesAsync(level, from, 256));
        }
    }

    // Ops as a store keeps them: the tree hashes the bytes whatever they hold, and a store checks only that they hash
    // to the chain hash beside them (a relay verified them before). Signing 70,000 ops would take the suite's time.
    private sealed class Ops(Random rng)
    {
        private static readonly AuthorId[] Authors = Enumerable.Range(0, 16).Select(i => ConformanceOps.Chain("tree-" + i, 0)[0].Op.Author).ToArray();
        private readonly ulong[] _seqs = new ulong[Authors.Length];

        public IReadOnlyList<StoredOp> Next(long from, int count) => Enumerable.Range(0, count).Select(i =>
        {
            var a = rng.Next(Authors.Length);
            var bytes = new byte[rng.Next(20, 120)];
            rng.NextBytes(bytes);
            return new StoredOp(from + i, Authors[a], ++_seqs[a], Hash32.Sha256(bytes), bytes, false);
        }).ToArray();
    }
}
