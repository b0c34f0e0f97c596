using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;
using Xunit.Abstractions;

namespace Ledger.Sync.Tests;

/// <summary>The B1 witness for the relay: a relay over a SQLite store holds no Merkle tree proportional to its log (the
/// in-memory tree it held before kept about 64 bytes an op, every level) and starts without reading the log. Long run:
/// LEDGER_B1_RELAY_OPS (e.g. 10000000).</summary>
[Collection(HeapMeasurementCollection.Name)]
public sealed class SqliteRelayTreeMemoryTests(ITestOutputHelper output)
{
    // The edge (at most 66 KiB), the checked full tiles kept (SqliteRelayStore.CachedTiles × 8 KiB = 512 KiB), the
    // subtree hashes kept (SqliteRelayStore.CachedNodes, ~300 KiB), the relay, SQLite's statements: a fixed bound,
    // whatever the log's size.
    private const long HeapBound = 3L << 20;
    private const long StartAllocationBound = 4L << 20;

    [Fact]
    [Trait("Risk", "B1")]
    public async Task A_relay_over_a_sqlite_store_serves_checkpoints_proofs_and_tiles_holding_no_tree_that_grows_with_the_log_and_starts_without_reading_it()
    {
        var n = long.TryParse(Environment.GetEnvironmentVariable("LEDGER_B1_RELAY_OPS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 200_000;
        var path = Path.Combine(World.TempDir(), "relay.db");
        var rng = new Random(57);
        Hash32 root;
        var expected = new List<(long Index, long Size, IReadOnlyList<Hash32> Proof)>();
        {
            // The reference tree is built and dropped before anything is measured.
            var reference = new MerkleTree();
            var ops = new TreeOps(rng);
            using var writer = new SqliteRelayStore(path);
            while (writer.Count < n)
            {
                var batch = ops.Next(writer.Count, (int)Math.Min(5000, n - writer.Count));
                await writer.AppendAsync(batch);
                foreach (var op in batch) reference.Append(op.Bytes.Span);
            }

            root = reference.Root();
            for (var i = 0; i < 20; i++)
            {
                var size = rng.NextInt64(1, n + 1);
                var index = rng.NextInt64(0, size);
                expected.Add((index, size, reference.InclusionProof(index, size)));
            }
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var store = new SqliteRelayStore(path);
        using var relay = new Relay(new RelayOptions { Ledger = World.Ledger, CheckpointKey = World.Key("tree-relay", 0) }, store);
        var (checkpoint, _, verdict) = RelayCheckpoint.Open((await relay.GetCheckpointAsync())!, relay.CheckpointVerifierKey!);
        var startAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.True(verdict.Ok, verdict.Reason);
        Assert.Equal((n, root), (checkpoint.Size, checkpoint.Root));

        // Serving: proofs anywhere in the log, tiles, checkpoints of older sizes (a pull page signs its prefix's).
        foreach (var (index, size, proof) in expected) Assert.Equal(proof, await relay.GetInclusionProofAsync(index, size));
        for (var i = 0; i < 20; i++)
        {
            var from = rng.NextInt64(0, n >> 8) << 8;
            Assert.Equal(256, (await relay.GetTreeHashesAsync(0, from, 256)).Count);
            Assert.NotNull((await relay.PullAsync(rng.NextInt64(0, n - 100), 50)).Checkpoint);
        }

        var heap = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        GC.KeepAlive(relay);
        GC.KeepAlive(store);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{n} ops: opening and the first checkpoint allocated {startAllocated} B (bound {StartAllocationBound}); heap growth while serving {heap} B (bound {HeapBound}; an in-memory tree holds about {64 * n} B); tile rows read {store.TilesRead}, full tiles kept {store.CachedTileCount}, subtree hashes kept {store.CachedNodeCount}"));
        Assert.InRange(startAllocated, 0, StartAllocationBound);
        Assert.InRange(heap, long.MinValue, HeapBound);
        Assert.InRange(store.CachedTileCount, 0, SqliteRelayStore.CachedTiles);
        Assert.InRange(store.CachedNodeCount, 0, SqliteRelayStore.CachedNodes);
    }
}
