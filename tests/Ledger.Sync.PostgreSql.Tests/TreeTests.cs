using Ledger.Kernel;
using Ledger.Sync.Conformance;
using Npgsql;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>The Merkle tree in PostgreSQL: tiles extended in the ingest transaction give the roots and proofs of the
/// in-memory tree; instances ingesting at once serve one checkpoint; a batch that dies before its commit leaves the tree
/// as it was; a flipped tile hash is found before a checkpoint is signed over it; a new instance serves checkpoints and
/// proofs without reading the log.</summary>
public sealed class TreeTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    private static int _ledgers;

    private static string NewLedger() => "tree-" + Interlocked.Increment(ref _ledgers);

    [Fact]
    [Trait("Risk", "D4")]
    public async Task The_tiles_in_the_database_give_the_roots_and_proofs_of_the_in_memory_tree_over_random_batch_sizes()
    {
        var ledger = NewLedger();
        var rng = new Random(34);
        var reference = new MerkleTree();
        using var store = new PostgreSqlRelayStore(database.ConnectionString, ledger);
        var ops = new FakeOps(rng);
        var sizes = new List<long>();
        // Past 256² ops, so the tree has level-2 tiles; batches from 1 op to 3,000 (tiles completed several at a time).
        while (store.Count < 66_000)
        {
            var batch = ops.Next(rng.Next(4) == 0 ? rng.Next(1, 4) : rng.Next(1, 3000));
            await store.AppendSequencedAsync(batch);
            foreach (var op in batch) reference.Append(op.Bytes.Span);
            Assert.Equal(reference.Root(), await store.GetRootAsync(store.Count));
            sizes.Add(store.Count);
        }

        // A second instance, as a relay joining the fleet: it holds nothing of the tree and reads only tiles.
        using var joined = new PostgreSqlRelayStore(database.ConnectionString, ledger);
        var n = joined.Count;
        var reads = joined.TilesRead;
        foreach (var size in sizes) Assert.Equal(reference.Root(size), await joined.GetRootAsync(size));
        for (var probe = 0; probe < 60; probe++)
        {
            var s1 = rng.NextInt64(1, n + 1);
            var s2 = rng.NextInt64(s1, n + 1);
            var index = rng.NextInt64(0, s2);
            Assert.Equal(reference.InclusionProof(index, s2), await joined.GetInclusionProofAsync(index, s2));
            Assert.Equal(reference.ConsistencyProof(s1, s2), await joined.GetConsistencyProofAsync(s1, s2));
        }

        // A few tile rows per call, never a scan: 3 tile levels here.
        Assert.InRange((joined.TilesRead - reads) / (double)(sizes.Count + 120), 1, 12);
        foreach (var (level, from) in new[] { (0, 0L), (0, n - 300), (8, 0L), (8, 200), (16, 0), (3, 7) })
        {
            Assert.Equal(reference.Hashes(level, from, 256), await joined.GetTreeHashesAsync(level, from, 256));
        }

        Assert.Empty(await joined.GetTreeHashesAsync(0, n, 10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => joined.GetRootAsync(n + 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => joined.GetInclusionProofAsync(n, n));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => joined.GetConsistencyProofAsync(0, n));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Two_relay_instances_ingesting_concurrently_serve_identical_checkpoints_equal_to_a_single_in_process_relay()
    {
        var ledger = NewLedger();
        // Each instance its own pool, as two processes have.
        using var sourceA = NpgsqlDataSource.Create(database.ConnectionString);
        using var sourceB = NpgsqlDataSource.Create(database.ConnectionString);
        using var storeA = new PostgreSqlRelayStore(sourceA, ledger);
        using var storeB = new PostgreSqlRelayStore(sourceB, ledger);
        using var relayA = new Relay(Options(), storeA);
        using var relayB = new Relay(Options(), storeB);
        var relays = new[] { relayA, relayB };
        var chains = Enumerable.Range(0, 6).Select(i => ConformanceOps.Chain(ledger + "-" + i, 120)).ToArray();
        var served = new System.Collections.Concurrent.ConcurrentBag<byte[]>();

        await Task.WhenAll(chains.Select((chain, i) => Task.Run(async () =>
        {
            var rng = new Random(i);
            for (var next = 0; next < chain.Count;)
            {
                var batch = chain.Skip(next).Take(1 + rng.Next(40)).Select(o => o.Bytes).ToArray();
                var response = await relays[rng.Next(2)].PushAsync(batch);
                Assert.All(response.Results, r => Assert.True(r.Held, r.Detail));
                next += batch.Length;
                served.Add((await relays[rng.Next(2)].GetCheckpointAsync())!);
            }
        })));

        var fromA = await relayA.GetCheckpointAsync();
        var fromB = await relayB.GetCheckpointAsync();
        Assert.Equal(fromA, fromB);
        var order = await storeA.ReadAsync(0, int.MaxValue);
        Assert.Equal(chains.Sum(c => c.Count), order.Count);
        using var single = new Relay(Options(), new InMemoryRelayStore());
        foreach (var batch in order.Chunk(512)) await single.PushAsync(batch.Select(o => o.Bytes).ToArray());
        Assert.Equal(await single.GetCheckpointAsync(), fromA);
        var key = single.CheckpointVerifierKey!;
        foreach (var note in served)
        {
            var (checkpoint, _, verdict) = RelayCheckpoint.Open(note, key);
            Assert.True(verdict.Ok, verdict.Reason);
            Assert.Equal(await single.GetCheckpointAsync(checkpoint.Size), note);
            // And either instance proves it consistent with the latest.
            if (checkpoint.Size > 0)
            {
                var latest = RelayCheckpoint.Open(fromA!, key).Checkpoint;
                var proof = await relays[(int)(checkpoint.Size % 2)].GetConsistencyProofAsync(checkpoint.Size, latest.Size);
                Assert.True(MerkleProofs.VerifyConsistency(checkpoint.Size, latest.Size, proof, checkpoint.Root, latest.Root));
            }
        }

        RelayOptions Options() => new() { Ledger = ConformanceOps.Ledger, Origin = "tree.test/" + ledger, CheckpointKey = Fleet.Key() };
    }

    [Theory]
    [Trait("Risk", "G1")]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_batch_whose_instance_dies_before_the_commit_leaves_no_half_extended_tree(bool sessionEnded)
    {
        var ledger = NewLedger();
        var rng = new Random(sessionEnded ? 1 : 2);
        var ops = new FakeOps(rng);
        var reference = new MerkleTree();
        using var store = new PostgreSqlRelayStore(database.ConnectionString, ledger);
        // 250 ops, then a batch of 600 that would complete two level-0 tiles and touch level 1.
        var before = ops.Next(250);
        await store.AppendSequencedAsync(before);
        foreach (var op in before) reference.Append(op.Bytes.Span);
        var snapshot = Snapshot(ledger);

        store.BeforeCommit = async connection =>
        {
            // The writes are done, the commit not sent: the instance dies here (its session ends, or it throws).
            if (!sessionEnded) throw new InvalidOperationException("the instance died");
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pg_backend_pid());", connection);
            await kill.ExecuteNonQueryAsync();
        };
        var lost = ops.Next(600);
        var e = await Record.ExceptionAsync(() => store.AppendSequencedAsync(lost));
        Assert.True(sessionEnded ? e is StoreUnavailableException : e is InvalidOperationException, $"{e}");
        Assert.Equal(snapshot, Snapshot(ledger));

        // The same instance and a fresh one go on from the tree as it was.
        store.BeforeCommit = null;
        await store.AppendSequencedAsync(lost);
        foreach (var op in lost) reference.Append(op.Bytes.Span);
        using var fresh = new PostgreSqlRelayStore(database.ConnectionString, ledger);
        Assert.Equal(reference.Root(), await fresh.GetRootAsync(850));
        Assert.Equal(reference.InclusionProof(300, 850), await fresh.GetInclusionProofAsync(300, 850));
    }

    [Theory]
    [Trait("Risk", "D1")]
    [InlineData("edge", 0, 3, "latest")]
    [InlineData("full level 0", 0, 1, "older")]
    [InlineData("full level 0", 0, 1, "proof")]
    [InlineData("level 1", 1, 0, "latest")]
    [InlineData("head", -1, 0, "latest")]
    [InlineData("edge", 0, 3, "ingest")]
    public async Task A_flipped_hash_in_a_tile_row_is_found_before_a_checkpoint_is_signed_over_it(string what, int level, long index, string asked)
    {
        _ = what;
        var ledger = NewLedger();
        var ops = new FakeOps(new Random(3));
        using (var writer = new PostgreSqlRelayStore(database.ConnectionString, ledger))
        {
            await writer.AppendSequencedAsync(ops.Next(1000));
        }

        // One bit of one hash (the second of the tile), as a damaged page would.
        var flipped = PostgreSqlServer.Scalar(database.ConnectionString, level < 0
            ? $"UPDATE ledger_relay_ledgers SET tree_root = set_byte(tree_root, 5, get_byte(tree_root, 5) # 16) WHERE ledger = '{ledger}' RETURNING 1;"
            : $"UPDATE ledger_relay_tiles SET hashes = set_byte(hashes, 37, get_byte(hashes, 37) # 16) WHERE ledger = '{ledger}' AND level = {level} AND idx = {index} RETURNING 1;");
        Assert.Equal(1, flipped);
        using var store = new PostgreSqlRelayStore(database.ConnectionString, ledger);
        using var relay = new Relay(new RelayOptions { Ledger = ConformanceOps.Ledger, CheckpointKey = Fleet.Key() }, store);
        var e = await Assert.ThrowsAsync<StoreDamagedException>(async () =>
        {
            switch (asked)
            {
                case "latest": await relay.GetCheckpointAsync(); break;
                // A pull page ending inside the damaged full tile signs the checkpoint of that prefix.
                case "older": await relay.PullAsync(0, 300); break;
                case "proof": await relay.GetInclusionProofAsync(300, 1000); break;
                default: await store.AppendSequencedAsync(ops.Next(5)); break;
            }
        });
        Assert.Contains(ledger, e.Message, StringComparison.Ordinal);
        Assert.Contains("ledger_relay_tiles", e.Message, StringComparison.Ordinal);
        // Nothing was stored over the damage either.
        Assert.Equal(1000, await store.RefreshAsync());
    }

    [Fact]
    [Trait("Risk", "D1")]
    public async Task A_relay_refuses_to_sign_over_a_tree_rewritten_whole_that_no_longer_extends_the_checkpoint_it_signed()
    {
        // The tree agrees with itself and its head, but not with history: the ledger's rows replaced by another order
        // (as a database restored from another backup would be), one that a relay instance never signed.
        var ledger = NewLedger();
        var other = NewLedger();
        var ops = new FakeOps(new Random(6));
        using var store = new PostgreSqlRelayStore(database.ConnectionString, ledger);
        using var relay = new Relay(new RelayOptions { Ledger = ConformanceOps.Ledger, CheckpointKey = Fleet.Key() }, store);
        await store.AppendSequencedAsync(ops.Next(700));
        Assert.NotNull(await relay.GetCheckpointAsync());
        using (var replacement = new PostgreSqlRelayStore(database.ConnectionString, other))
        {
            await replacement.AppendSequencedAsync(new FakeOps(new Random(7)).Next(900));
        }

        PostgreSqlServer.Execute(database.ConnectionString, $"""
            DELETE FROM ledger_relay_tiles WHERE ledger = '{ledger}';
            DELETE FROM ledger_relay_log WHERE ledger = '{ledger}';
            UPDATE ledger_relay_tiles SET ledger = '{ledger}' WHERE ledger = '{other}';
            UPDATE ledger_relay_log SET ledger = '{ledger}' WHERE ledger = '{other}';
            UPDATE ledger_relay_ledgers l SET next_position = o.next_position, log_bytes = o.log_bytes, tree_root = o.tree_root
              FROM ledger_relay_ledgers o WHERE l.ledger = '{ledger}' AND o.ledger = '{other}';
            """);
        // The store finds nothing wrong with itself (a fresh instance signs it: only the relay that signed remembers).
        using var fresh = new Relay(new RelayOptions { Ledger = ConformanceOps.Ledger, CheckpointKey = Fleet.Key() }, new PostgreSqlRelayStore(database.ConnectionString, ledger));
        Assert.NotNull(await fresh.GetCheckpointAsync());
        var e = await Assert.ThrowsAsync<StoreDamagedException>(() => relay.GetCheckpointAsync());
        Assert.Contains("not consistent with the checkpoint this relay signed for 700 ops", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StoreDamagedException>(() => relay.GetCheckpointAsync(500));
        fresh.Store.Dispose();
    }

    [Fact]
    [Trait("Risk", "B1")]
    public async Task A_new_instance_serves_checkpoints_and_proofs_with_the_log_table_out_of_reach()
    {
        var db = PostgreSqlServer.CreateDatabase("join");
        try
        {
            const string ledger = "join";
            var ops = new FakeOps(new Random(5));
            var reference = new MerkleTree();
            using (var writer = new PostgreSqlRelayStore(db, ledger))
            {
                for (var i = 0; i < 6; i++)
                {
                    var batch = ops.Next(700);
                    await writer.AppendSequencedAsync(batch);
                    foreach (var op in batch) reference.Append(op.Bytes.Span);
                }
            }

            using var store = new PostgreSqlRelayStore(db, ledger);
            using var relay = new Relay(new RelayOptions { Ledger = ConformanceOps.Ledger, CheckpointKey = Fleet.Key() }, store);
            // The log is out of reach from here on: whatever the relay answers comes from the counter row and the tiles.
            PostgreSqlServer.Execute(db, "ALTER TABLE ledger_relay_log RENAME TO ledger_relay_log_away;");
            var (checkpoint, _, verdict) = RelayCheckpoint.Open((await relay.GetCheckpointAsync())!, relay.CheckpointVerifierKey!);
            Assert.True(verdict.Ok);
            Assert.Equal(4200, checkpoint.Size);
            Assert.Equal(reference.Root(), checkpoint.Root);
            Assert.Equal(reference.Root(1234), await relay.GetRootAsync(1234));
            Assert.Equal(reference.InclusionProof(17, 4200), await relay.GetInclusionProofAsync(17, 4200));
            Assert.Equal(reference.ConsistencyProof(999, 4200), await relay.GetConsistencyProofAsync(999, 4200));
            Assert.Equal(reference.Hashes(8, 0, 256), await relay.GetTreeHashesAsync(8, 0, 256));
            Assert.InRange(store.TilesRead, 1, 40);
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    // Every tile row of the ledger and its counter row, as text.
    private string Snapshot(string ledger) => string.Join("\n",
        PostgreSqlServer.Scalar(database.ConnectionString, $"SELECT string_agg(level || '/' || idx || '=' || encode(hashes, 'hex'), ',' ORDER BY level, idx) FROM ledger_relay_tiles WHERE ledger = '{ledger}';"),
        PostgreSqlServer.Scalar(database.ConnectionString, $"SELECT next_position || ' ' || log_bytes || ' ' || encode(tree_root, 'hex') FROM ledger_relay_ledgers WHERE ledger = '{ledger}';"),
        PostgreSqlServer.Scalar(database.ConnectionString, $"SELECT count(*) FROM ledger_relay_log WHERE ledger = '{ledger}';"));

    /// <summary>Stored ops with random bytes (the store checks only that the bytes hash to the chain hash), for trees
    /// larger than signing real chains would allow in a test.</summary>
    private sealed class FakeOps(Random rng)
    {
        private static readonly AuthorId[] Authors = Enumerable.Range(0, 4).Select(i => ConformanceOps.Chain("fake-" + i, 0)[0].Op.Author).ToArray();
        private readonly ulong[] _seqs = new ulong[Authors.Length];

        public IReadOnlyList<StoredOp> Next(int count) => Enumerable.Range(0, count).Select(_ =>
        {
            var a = rng.Next(Authors.Length);
            var bytes = new byte[rng.Next(20, 120)];
            rng.NextBytes(bytes);
            return new StoredOp(0, Authors[a], ++_seqs[a], Hash32.Sha256(bytes), bytes, false);
        }).ToArray();
    }
}
