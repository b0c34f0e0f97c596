using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync.Tests;

/// <summary>A second pair of eyes on the SQLite relay store's schema 5 (the Merkle tree as tiles in the file): a file
/// damaged or changed by hand in its tables, its head or its log is refused with a <see cref="StoreDamagedException"/>
/// naming what and where — at open or before anything is served, appended or signed — never SQLite's own exception,
/// never a checkpoint over a tree the file no longer holds.</summary>
public sealed class SqliteRelayTreeAttackTests
{
    private static async Task<string> RelayFileAsync(int ops, int seed = 61)
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        using var writer = new SqliteRelayStore(path);
        await writer.AppendAsync(new TreeOps(new Random(seed)).Next(0, ops));
        return path;
    }

    private static void Execute(string path, string sql)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        using var c = db.CreateCommand();
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }

    private static long Scalar(string path, string sql)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        using var c = db.CreateCommand();
        c.CommandText = sql;
        return Convert.ToInt64(c.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    // Everything a relay asks of its store over the tree, one at a time: each must refuse, typed.
    private static async Task AskAsync(SqliteRelayStore store, string asked)
    {
        using var relay = new Relay(new RelayOptions { Ledger = World.Ledger, CheckpointKey = World.Key("tree-relay", 0) }, store);
        switch (asked)
        {
            case "checkpoint": await relay.GetCheckpointAsync(); break;
            case "pull": await relay.PullAsync(0, 300); break;
            case "inclusion": await store.GetInclusionProofAsync(300, store.Count); break;
            case "consistency": await store.GetConsistencyProofAsync(300, store.Count); break;
            case "tiles": await store.GetTreeHashesAsync(0, 256, 256); break;
            default: await store.AppendAsync(new TreeOps(new Random(62), "late").Next(store.Count, 300)); break;
        }
    }

    public static TheoryData<string, string, string> Damage => new()
    {
        { "DROP TABLE tree_head;", "table 'tree_head'", "append" },
        { "DROP TABLE tree_head;", "table 'tree_head'", "checkpoint" },
        { "DROP TABLE tree_tiles;", "table 'tree_tiles'", "append" },
        { "DROP TABLE tree_tiles;", "table 'tree_tiles'", "inclusion" },
        { "DELETE FROM tree_head;", "table 'tree_head'", "checkpoint" },
        { "UPDATE tree_head SET size = 'many';", "column 'size'", "checkpoint" },
        { "UPDATE tree_head SET root = x'00';", "column 'root'", "append" },
        { "UPDATE tree_tiles SET hashes = 'text' WHERE level = 0 AND idx = 1;", "table 'tree_tiles' tile 0/1 column 'hashes'", "inclusion" },
        { "UPDATE tree_tiles SET hashes = 'text' WHERE level = 1;", "table 'tree_tiles' tile 1/0 column 'hashes'", "checkpoint" },
        { "UPDATE tree_tiles SET hashes = substr(hashes, 1, 8160) WHERE level = 0 AND idx = 1;", "tile 0/1 holds 255 hashes", "consistency" },
        { "UPDATE tree_tiles SET hashes = CAST(hashes || hashes AS BLOB) WHERE level = 0 AND idx = 1;", "tile 0/1 column 'hashes': it holds 16384 bytes", "tiles" },
        { "DELETE FROM tree_tiles WHERE level = 1;", "tile 1/0 is missing", "checkpoint" },
        { "DELETE FROM tree_tiles WHERE level = 1;", "tile 1/0 is missing", "append" },
        { "UPDATE tree_tiles SET hashes = substr(hashes, 33) WHERE level = 1;", "tile 1/0 holds 2 hashes", "checkpoint" },
        { "UPDATE tree_tiles SET level = 2 WHERE level = 0 AND idx = 1;", "tile 0/1 is missing", "pull" },
        { "UPDATE tree_tiles SET idx = 9 WHERE level = 0 AND idx = 1;", "tile 0/1 is missing", "inclusion" },
        { "UPDATE tree_tiles SET hashes = (SELECT hashes FROM tree_tiles WHERE level = 0 AND idx = 0) WHERE level = 0 AND idx = 1;", "tile 0/1 does not hash", "inclusion" },
        // The level-0 edge is hashed from the log's last ops when the edge is loaded: a changed op there is met first.
        { "UPDATE log SET bytes = x'00' || substr(bytes, 2) WHERE position = 990;", "table 'log' row 990", "checkpoint" },
        { "UPDATE log SET bytes = x'00' || substr(bytes, 2) WHERE position = 990;", "table 'log' row 990", "append" },
        { "UPDATE log SET bytes = x'00' || substr(bytes, 2) WHERE position = 100;", "table 'log' row 100", "pull" },
    };

    [Theory]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    [MemberData(nameof(Damage))]
    public async Task A_tree_table_or_tile_row_changed_by_hand_is_refused_typed_naming_it_and_nothing_is_written_over_it(string damage, string named, string asked)
    {
        var path = await RelayFileAsync(1000);
        Execute(path, damage);
        var e = await Assert.ThrowsAsync<StoreDamagedException>(async () =>
        {
            using var store = new SqliteRelayStore(path);
            await AskAsync(store, asked);
        });
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Contains(named, StringComparison.Ordinal), e.Message);
        Assert.Equal(1000, Scalar(path, "SELECT COUNT(*) FROM log;"));
    }

    [Theory]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    // A row deleted from the middle (the high-water mark then says more ops were acknowledged than the file holds).
    [InlineData("DELETE FROM log WHERE position = 10;", "position 10")]
    // A row deleted from the middle and one past the end (the count, the head and the mark all agree with the file).
    [InlineData("INSERT INTO log SELECT 1000, author, seq + 100000, hash, bytes, key_event FROM log WHERE position = 10; DELETE FROM log WHERE position = 10;", "position 10")]
    // A row moved below position 0.
    [InlineData("UPDATE log SET position = -1 WHERE position = 700;", "position 700")]
    // The first row gone, and a row past the end.
    [InlineData("UPDATE log SET position = 1000 WHERE position = 0;", "position 0")]
    public async Task A_log_with_a_position_missing_is_refused_at_open_naming_the_position_and_never_appended_to(string damage, string named)
    {
        var path = await RelayFileAsync(1000);
        Execute(path, damage);
        var e = Assert.Throws<StoreDamagedException>(() => new SqliteRelayStore(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("table 'log' " + named, e.Message, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
        // Nothing was written: the file holds what the damage left, and its mark still says 1000.
        Assert.Equal(1000 - (damage.StartsWith("DELETE", StringComparison.Ordinal) ? 1 : 0), Scalar(path, "SELECT COUNT(*) FROM log;"));
        Assert.Equal(1000, Scalar(path, "SELECT size FROM tree_head;"));
    }

    [Fact]
    [Trait("Risk", "G3")]
    public async Task A_schema_4_file_with_an_empty_log_upgrades_to_the_empty_tree_and_grows_from_it()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        SqliteRelayTreeTests.WriteSchema4(path, []);
        var reference = new MerkleTree();
        using (var store = new SqliteRelayStore(path))
        {
            Assert.Equal(MerkleTree.EmptyRoot, await store.GetRootAsync(0));
            var ops = new TreeOps(new Random(63)).Next(0, 300);
            await store.AppendAsync(ops);
            foreach (var op in ops) reference.Append(op.Bytes.Span);
        }

        Assert.Equal(5, Scalar(path, "PRAGMA user_version;"));
        using var reopened = new SqliteRelayStore(path);
        Assert.Equal(reference.Root(), await reopened.GetRootAsync(300));
        Assert.Equal(reference.InclusionProof(299, 300), await reopened.GetInclusionProofAsync(299, 300));
    }

    [Theory]
    [Trait("Risk", "G3")]
    [Trait("Category", "BadInput")]
    [InlineData("DELETE FROM log WHERE position = 300;", "table 'log' position 300")]
    [InlineData("UPDATE log SET position = position + 1000;", "table 'log' position 0")]
    [InlineData("UPDATE log SET hash = x'0011' WHERE position = 5;", "table 'log' row 5 column 'hash'")]
    [InlineData("UPDATE log SET bytes = 'text' WHERE position = 6;", "table 'log' row 6 column 'bytes'")]
    public void An_upgrade_over_a_damaged_schema_4_log_is_refused_typed_and_leaves_the_file_at_schema_4_without_tree_tables(string damage, string named)
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        SqliteRelayTreeTests.WriteSchema4(path, new TreeOps(new Random(64)).Next(0, 600));
        Execute(path, damage);
        var e = Assert.Throws<StoreDamagedException>(() => new SqliteRelayStore(path));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Equal(4, Scalar(path, "PRAGMA user_version;"));
        Assert.Equal(0, Scalar(path, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'tree_%';"));
    }

    [Fact]
    [Trait("Risk", "G3")]
    [Trait("Category", "BadInput")]
    public async Task A_relay_file_of_a_newer_schema_is_refused_and_left_byte_for_byte_as_it_was()
    {
        var path = await RelayFileAsync(300);
        Execute(path, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA user_version = 6;");
        var before = File.ReadAllBytes(path);
        var files = Directory.GetFiles(Path.GetDirectoryName(path)!).Order(StringComparer.Ordinal).ToArray();
        var e = Assert.Throws<StoreSchemaException>(() => new SqliteRelayStore(path));
        Assert.Contains("schema 6", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(files, Directory.GetFiles(Path.GetDirectoryName(path)!).Order(StringComparer.Ordinal).ToArray());
    }
}
