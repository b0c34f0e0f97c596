using Ledger.Kernel;
using Ledger.Sync.Conformance;
using Npgsql;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>Versioned schema: created on first use, upgraded in one transaction, a newer one refused unchanged; rows the
/// schema allows but Ledger does not are typed damage; a server that cannot be reached is typed unavailability.</summary>
public sealed class SchemaTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    private static int _ledgers;

    private static string NewLedger() => "schema-" + Interlocked.Increment(ref _ledgers);

    private static string FreshDatabase() => PostgreSqlServer.CreateDatabase("schema");

    [Fact]
    [Trait("Risk", "G3")]
    public void A_database_of_a_newer_schema_is_refused_and_left_unchanged()
    {
        var db = FreshDatabase();
        try
        {
            PostgreSqlServer.Execute(db, "CREATE TABLE ledger_relay_schema (version integer NOT NULL); INSERT INTO ledger_relay_schema VALUES (99);");
            var e = Assert.Throws<StoreSchemaException>(() => new PostgreSqlRelayStore(db, "newer"));
            Assert.Equal(99, e.FoundVersion);
            Assert.Equal(PostgreSqlSchema.Relay.Current, e.SupportedVersion);
            Assert.Contains("newer Ledger (schema 99", e.Message, StringComparison.Ordinal);
            Assert.Equal(99, PostgreSqlServer.Scalar(db, "SELECT version FROM ledger_relay_schema;"));
            // Nothing created beside the version table.
            Assert.Equal(1L, PostgreSqlServer.Scalar(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public';"));
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    [Fact]
    [Trait("Risk", "G3")]
    public async Task An_older_schema_is_upgraded_in_one_transaction_and_a_failing_step_leaves_it_at_its_version()
    {
        var db = FreshDatabase();
        try
        {
            using (var source = NpgsqlDataSource.Create(db))
            {
                // Version 1, with rows: what an older Ledger wrote.
                await WriteVersion1Async(source, "upgrade", ConformanceOps.Stored(ConformanceOps.Chain("u", 2), 0));

                // A version 3 whose last step fails: the database stays at version 1, step 2 (tiles) undone too.
                var failing = new PostgreSqlSchema(3, [PostgreSqlSchema.Relay.Steps[0], PostgreSqlSchema.Relay.Steps[1], "SELECT * FROM no_such_table;"]);
                Assert.Throws<StoreDamagedException>(() => new PostgreSqlRelayStore(source, "upgrade", null, ownsSource: false, failing));
                Assert.Equal(1, PostgreSqlServer.Scalar(db, "SELECT version FROM ledger_relay_schema;"));
                Assert.Equal(false, PostgreSqlServer.Scalar(db, "SELECT to_regclass('ledger_relay_tiles') IS NOT NULL;"));
                Assert.Equal(0L, PostgreSqlServer.Scalar(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ledger_relay_ledgers' AND column_name = 'tree_root';"));

                // The current version: upgraded, and what was stored is still there.
                using var upgraded = new PostgreSqlRelayStore(source, "upgrade", null, ownsSource: false, PostgreSqlSchema.Relay);
                Assert.Equal(PostgreSqlSchema.Relay.Current, PostgreSqlServer.Scalar(db, "SELECT version FROM ledger_relay_schema;"));
                Assert.Equal(3, upgraded.Count);
                Assert.Equal(3, (await upgraded.ReadAsync(0, 10)).Count);
            }
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    [Fact]
    [Trait("Risk", "G3")]
    public async Task Upgrading_from_version_1_builds_the_tiles_of_every_ledger_in_the_upgrade_transaction_and_refuses_a_damaged_log()
    {
        var db = FreshDatabase();
        try
        {
            using var source = NpgsqlDataSource.Create(db);
            // Two ledgers written by the version-1 store: one past a full tile and a level-1 hash, one empty.
            var chains = Enumerable.Range(0, 3).Select(i => ConformanceOps.Chain("up-" + i, 199)).ToArray();
            var order = ConformanceOps.Stored(Enumerable.Range(0, 200).SelectMany(i => chains.Select(c => c[i])).ToArray(), 0);
            await WriteVersion1Async(source, "big", order);
            await WriteVersion1Async(source, "empty", []);

            // A damaged op in the log: the upgrade refuses to build a tree over it and leaves the database at version 1.
            PostgreSqlServer.Execute(db, "UPDATE ledger_relay_log SET bytes = bytes || '\\x00'::bytea WHERE ledger = 'big' AND position = 300;");
            var e = Assert.Throws<StoreDamagedException>(() => new PostgreSqlRelayStore(source, "big"));
            Assert.Contains("row 300", e.Message, StringComparison.Ordinal);
            Assert.Equal(1, PostgreSqlServer.Scalar(db, "SELECT version FROM ledger_relay_schema;"));
            Assert.Equal(false, PostgreSqlServer.Scalar(db, "SELECT to_regclass('ledger_relay_tiles') IS NOT NULL;"));
            PostgreSqlServer.Execute(db, "UPDATE ledger_relay_log SET bytes = substring(bytes FROM 1 FOR octet_length(bytes) - 1) WHERE ledger = 'big' AND position = 300;");

            // Upgraded: the tiles and head give the in-memory tree's roots and proofs, and ingest goes on from them.
            var reference = new MerkleTree();
            foreach (var op in order) reference.Append(op.Bytes.Span);
            using var store = new PostgreSqlRelayStore(source, "big");
            Assert.Equal(PostgreSqlSchema.Relay.Current, PostgreSqlServer.Scalar(db, "SELECT version FROM ledger_relay_schema;"));
            Assert.Equal(4L, PostgreSqlServer.Scalar(db, "SELECT count(*) FROM ledger_relay_tiles WHERE ledger = 'big';"));
            Assert.Equal(reference.Root(), await store.GetRootAsync(600));
            Assert.Equal(reference.Root(256), await store.GetRootAsync(256));
            Assert.Equal(reference.InclusionProof(7, 600), await store.GetInclusionProofAsync(7, 600));
            Assert.Equal(reference.ConsistencyProof(100, 600), await store.GetConsistencyProofAsync(100, 600));
            var more = ConformanceOps.Chain("up-more", 20);
            await store.AppendSequencedAsync(ConformanceOps.Stored(more, 0));
            foreach (var op in more) reference.Append(op.Bytes.Span);
            Assert.Equal(reference.Root(), await store.GetRootAsync(621));
            using var empty = new PostgreSqlRelayStore(source, "empty");
            Assert.Equal(MerkleTree.EmptyRoot, await empty.GetRootAsync(0));
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    [Fact]
    [Trait("Risk", "G2")]
    public async Task A_version_1_database_is_upgraded_to_keep_beacons_and_keeps_its_log()
    {
        var db = FreshDatabase();
        try
        {
            using var source = NpgsqlDataSource.Create(db);
            await WriteVersion1Async(source, "beacons", ConformanceOps.Stored(ConformanceOps.Chain("b", 1), 0));

            Assert.Equal(0L, PostgreSqlServer.Scalar(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ledger_relay_beacons';"));
            var author = ConformanceOps.Chain("b", 0)[0].Op.Author;
            using (var upgraded = new PostgreSqlRelayStore(source, "beacons"))
            {
                Assert.Equal(PostgreSqlSchema.Relay.Current, PostgreSqlServer.Scalar(db, "SELECT version FROM ledger_relay_schema;"));
                Assert.Equal(2, upgraded.Count);
                Assert.True(await upgraded.KeepBeaconAsync(new BeaconRecord(author, 7, DateTimeOffset.UnixEpoch.AddDays(1), new byte[] { 1, 2 })));
            }

            using var reopened = new PostgreSqlRelayStore(source, "beacons");
            var kept = Assert.Single(await reopened.ReadBeaconsAsync());
            Assert.Equal((author, 7L, DateTimeOffset.UnixEpoch.AddDays(1)), (kept.Author, kept.SentAtUnixMs, kept.ReceivedAt));
            Assert.Equal(2, (await reopened.ReadAsync(0, 10)).Count);
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    [Fact]
    public async Task The_log_has_no_per_row_foreign_key_after_the_upgrade_and_a_batch_whose_counter_row_is_gone_is_refused_storing_nothing()
    {
        var db = FreshDatabase();
        try
        {
            using var source = NpgsqlDataSource.Create(db);
            await WriteVersion1Async(source, "kept", ConformanceOps.Stored(ConformanceOps.Chain("k", 1), 0));
            const string ForeignKeys = "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = '{0}'::regclass;";
            Assert.Equal(1L, PostgreSqlServer.Scalar(db, string.Format(System.Globalization.CultureInfo.InvariantCulture, ForeignKeys, "ledger_relay_log")));
            using (var upgraded = new PostgreSqlRelayStore(source, "kept"))
            {
                Assert.Equal(2, upgraded.Count);
            }

            // Version 5 drops the log's foreign key (a trigger per inserted row); the tiles keep theirs.
            Assert.Equal(0L, PostgreSqlServer.Scalar(db, string.Format(System.Globalization.CultureInfo.InvariantCulture, ForeignKeys, "ledger_relay_log")));
            Assert.Equal(1L, PostgreSqlServer.Scalar(db, string.Format(System.Globalization.CultureInfo.InvariantCulture, ForeignKeys, "ledger_relay_tiles")));

            // What the key guarded still holds: a batch is stored only under its ledger's counter row, locked.
            using var gone = new PostgreSqlRelayStore(source, "gone");
            PostgreSqlServer.Execute(db, "DELETE FROM ledger_relay_ledgers WHERE ledger = 'gone';");
            var e = await Assert.ThrowsAsync<StoreDamagedException>(() => gone.AppendSequencedAsync(ConformanceOps.Stored(ConformanceOps.Chain("g", 1), 0)));
            Assert.Contains("counter row is gone", e.Message, StringComparison.Ordinal);
            Assert.Equal(0L, PostgreSqlServer.Scalar(db, "SELECT count(*) FROM ledger_relay_log WHERE ledger = 'gone';"));
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    // A database as the version-1 store left it: its schema, a counter row and the ops at their positions.
    private static async Task WriteVersion1Async(NpgsqlDataSource source, string ledger, IReadOnlyList<StoredOp> ops)
    {
        await using var connection = await source.OpenConnectionAsync();
        await new PostgreSqlSchema(1, [PostgreSqlSchema.Relay.Steps[0]]).EnsureAsync(connection, "v1", CancellationToken.None);
        await using var counter = new NpgsqlCommand("INSERT INTO ledger_relay_ledgers (ledger, next_position, log_bytes) VALUES ($1, $2, $3);", connection);
        counter.Parameters.Add(new NpgsqlParameter { Value = ledger });
        counter.Parameters.Add(new NpgsqlParameter { Value = (long)ops.Count });
        counter.Parameters.Add(new NpgsqlParameter { Value = ops.Sum(o => (long)o.Bytes.Length + 96) });
        await counter.ExecuteNonQueryAsync();
        foreach (var op in ops)
        {
            await using var insert = new NpgsqlCommand("INSERT INTO ledger_relay_log (ledger, position, author, seq, hash, bytes, key_event) VALUES ($1, $2, $3, $4, $5, $6, $7);", connection);
            foreach (var value in new object[] { ledger, op.Position, op.Author.Value, (long)op.Seq, op.Hash.ToArray(), op.Bytes.ToArray(), op.IsKeyEvent })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            await insert.ExecuteNonQueryAsync();
        }
    }

    [Theory]
    [Trait("Risk", "D1")]
    [InlineData("UPDATE ledger_relay_log SET bytes = bytes || '\\x00'::bytea WHERE position = 1;", "do not hash")]
    [InlineData("UPDATE ledger_relay_log SET hash = '\\x0102'::bytea WHERE position = 1;", "column 'hash'")]
    [InlineData("UPDATE ledger_relay_log SET author = 'not an author' WHERE position = 1;", "column 'author'")]
    [InlineData("DELETE FROM ledger_relay_log WHERE position = 1;", "position 1")]
    public async Task A_row_changed_by_hand_is_typed_damage_naming_where(string damage, string where)
    {
        var ledger = NewLedger();
        using var store = new PostgreSqlRelayStore(database.ConnectionString, ledger);
        await store.AppendAsync(ConformanceOps.Stored(ConformanceOps.Chain("d", 2), 0));
        PostgreSqlServer.Execute(database.ConnectionString, damage.Replace("WHERE", $"WHERE ledger = '{ledger}' AND", StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<StoreDamagedException>(() => store.ReadAsync(0, 10));
        Assert.Contains(where, e.Message, StringComparison.Ordinal);
        Assert.Contains(ledger, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public async Task A_counter_that_disagrees_with_the_log_is_typed_damage_when_opened()
    {
        var ledger = NewLedger();
        using (var store = new PostgreSqlRelayStore(database.ConnectionString, ledger))
        {
            await store.AppendAsync(ConformanceOps.Stored(ConformanceOps.Chain("c", 1), 0));
        }

        PostgreSqlServer.Execute(database.ConnectionString, $"UPDATE ledger_relay_ledgers SET next_position = 7 WHERE ledger = '{ledger}';");
        var e = Assert.Throws<StoreDamagedException>(() => new PostgreSqlRelayStore(database.ConnectionString, ledger));
        Assert.Contains("next_position", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_server_that_cannot_be_reached_is_StoreUnavailableException_and_the_password_is_not_in_the_message()
    {
        PostgreSqlServer.Require();
        var closed = new NpgsqlConnectionStringBuilder(PostgreSqlServer.ConnectionString) { Host = "127.0.0.1", Port = 1, Password = "s3cret-pw", Timeout = 2 }.ToString();
        var e = Assert.Throws<StoreUnavailableException>(() => new PostgreSqlRelayStore(closed, "down"));
        Assert.DoesNotContain("s3cret-pw", e.Message, StringComparison.Ordinal);

        // A store opened while the server answered: its sessions ended under it (pg_terminate_backend, as a restart
        // does) — a call answers unavailable, and the next one, on a fresh session, works.
        var ledger = NewLedger();
        using var store = new PostgreSqlRelayStore(database.ConnectionString, ledger);
        await store.AppendAsync(ConformanceOps.Stored(ConformanceOps.Chain("t", 1), 0));
        var name = new NpgsqlConnectionStringBuilder(database.ConnectionString).Database;
        PostgreSqlServer.Execute(PostgreSqlServer.ConnectionString, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid();");
        var during = await Record.ExceptionAsync(() => store.ReadAsync(0, 10));
        Assert.True(during is null or StoreUnavailableException, $"{during}");
        Assert.Equal(2, (await store.ReadAsync(0, 10)).Count);
    }
}
