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
                // Version 1, with a row: what an older Ledger wrote.
                using (var old = new PostgreSqlRelayStore(source, "upgrade", null, ownsSource: false, new PostgreSqlSchema(1, [PostgreSqlSchema.Relay.Steps[0]])))
                {
                    await old.AppendAsync(ConformanceOps.Stored(ConformanceOps.Chain("u", 2), 0));
                }

                // A version 3 whose last step fails: the database stays at version 1, the step before it undone too.
                var failing = new PostgreSqlSchema(3, [PostgreSqlSchema.Relay.Steps[0], "ALTER TABLE ledger_relay_log ADD COLUMN v2 integer;", "SELECT * FROM no_such_table;"]);
                Assert.Throws<StoreDamagedException>(() => new PostgreSqlRelayStore(source, "upgrade", null, ownsSource: false, failing));
                Assert.Equal(1, PostgreSqlServer.Scalar(db, "SELECT version FROM ledger_relay_schema;"));
                Assert.Equal(0L, PostgreSqlServer.Scalar(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ledger_relay_log' AND column_name = 'v2';"));

                // A version 2 that works: upgraded, and what was stored is still there.
                var next = new PostgreSqlSchema(2, [PostgreSqlSchema.Relay.Steps[0], "ALTER TABLE ledger_relay_log ADD COLUMN v2 integer;"]);
                using var upgraded = new PostgreSqlRelayStore(source, "upgrade", null, ownsSource: false, next);
                Assert.Equal(2, PostgreSqlServer.Scalar(db, "SELECT version FROM ledger_relay_schema;"));
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
    [Trait("Risk", "G2")]
    public async Task A_version_1_database_is_upgraded_to_keep_beacons_and_keeps_its_log()
    {
        var db = FreshDatabase();
        try
        {
            using var source = NpgsqlDataSource.Create(db);
            using (var old = new PostgreSqlRelayStore(source, "beacons", null, ownsSource: false, new PostgreSqlSchema(1, [PostgreSqlSchema.Relay.Steps[0]])))
            {
                await old.AppendAsync(ConformanceOps.Stored(ConformanceOps.Chain("b", 1), 0));
            }

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
