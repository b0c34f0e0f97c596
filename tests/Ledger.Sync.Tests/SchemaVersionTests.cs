using System.Security.Cryptography;
using Ledger.Kernel;
using Ledger.Sync;
using Ledger.Tests;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync.Tests;

/// <summary>Every SQLite file records its schema version: today's files (written before versions were recorded)
/// open and upgrade in one transaction; a file of a newer version, a file that is not a database and another
/// application's database are refused with the file unchanged, byte for byte.</summary>
public class SchemaVersionTests
{
    private static string Fixture(string name)
    {
        // A copy: the upgrade writes to it, and the checked-in fixture must stay as it was made.
        var copy = Path.Combine(World.TempDir(), name);
        File.Copy(Path.Combine(RepositoryFiles.TestProject, "Fixtures", name), copy);
        return copy;
    }

    private static int UserVersion(string path)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        db.Open();
        using var c = db.CreateCommand();
        c.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(c.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Hash(string path) => SHA256.HashData(File.ReadAllBytes(path));

    [Fact]
    [Trait("Risk", "G3")]
    public async Task A_node_store_file_of_the_schema_before_versions_opens_upgrades_and_folds_to_the_state_it_was_written_with()
    {
        var path = Fixture("node-schema1.db");
        Assert.Equal(0, UserVersion(path));
        var expected = File.ReadAllText(Path.Combine(RepositoryFiles.TestProject, "Fixtures", "state-hash.txt")).Trim();
        await using (var node = await DeviceNode.OpenAsync(World.Options(), new SqliteNodeStore(path), World.Key("fixture-a", 0)))
        {
            Assert.Equal(expected, node.StateHash().ToString());
            Assert.Equal(NodeStartPath.Reopened, node.Startup.Path);
            Assert.True(node.RelayOrigin is not null);
        }

        // Version 2 recorded the version, version 3 added the bootstrap base: both steps ran in the one upgrade.
        Assert.Equal(3, UserVersion(path));
    }

    [Fact]
    [Trait("Risk", "G3")]
    public async Task A_relay_store_file_of_the_schema_before_versions_opens_upgrades_and_keeps_its_log_and_gains_cosignatures_and_beacons()
    {
        var path = Fixture("relay-schema1.db");
        using (var store = new SqliteRelayStore(path))
        {
            Assert.Equal(4 + 3, store.Count); // fixture-a: inception + 3 ops; fixture-b: inception + 2 ops
            var relay = World.NewRelay(store);
            var pulled = (await relay.PullAsync(0)).Ops;
            Assert.Equal(store.Count, pulled.Count);
            // The tiles the upgrade built give the root of the log the file held.
            var reference = new MerkleTree();
            foreach (var (_, bytes) in pulled) reference.Append(bytes.Span);
            Assert.Equal(reference.Root(), await relay.GetRootAsync(store.Count));
            await store.AddCosignatureAsync(new byte[] { 1 });
            Assert.True(await store.KeepBeaconAsync(new BeaconRecord(new Kernel.AuthorId("fixture-beacon"), 5, DateTimeOffset.UnixEpoch, new byte[] { 2 })));
        }

        // Version 2 added the cosignatures, version 3 the beacons, version 4 the bootstrap checkpoints, version 5 the
        // Merkle tree's tiles (built from the log): every step ran in the one upgrade.
        Assert.Equal(5, UserVersion(path));
        using var reopened = new SqliteRelayStore(path);
        Assert.Single(await reopened.ReadCosignaturesAsync(10));
        Assert.Equal(5, Assert.Single(await reopened.ReadBeaconsAsync()).SentAtUnixMs);
    }

    [Fact]
    [Trait("Risk", "G3")]
    public void A_segment_store_file_of_schema_1_opens_upgraded_to_a_table_without_rowid_and_emptied()
    {
        // Version 1 as it was created (a rowid table with its key in a second b-tree), holding a segment.
        var path = Path.Combine(World.TempDir(), "segments-schema1.db");
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = """
                CREATE TABLE segments (tbl TEXT NOT NULL, branch TEXT NOT NULL, hash BLOB NOT NULL, rows BLOB NOT NULL, PRIMARY KEY (tbl, branch));
                INSERT INTO segments VALUES ('notes', 'a/main', x'00', x'01');
                PRAGMA user_version = 1;
                """;
            c.ExecuteNonQuery();
        }

        var id = new SegmentId("notes", "a/main");
        using (var store = new SqliteSegmentStore(path))
        {
            Assert.Equal(0, store.Count);
            Assert.Null(store.Read(id));
            store.Write(id, default, new byte[] { 7, 8 });
            Assert.Equal([7, 8], store.Read(id));
        }

        Assert.Equal(2, UserVersion(path));
        using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        check.Open();
        using var sql = check.CreateCommand();
        sql.CommandText = "SELECT sql FROM sqlite_master WHERE name = 'segments';";
        Assert.Contains("WITHOUT ROWID", (string)sql.ExecuteScalar()!, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Risk", "G3")]
    [InlineData("node")]
    [InlineData("relay")]
    public void A_file_written_by_a_newer_schema_is_refused_with_update_needed_and_left_byte_for_byte_unchanged(string kind)
    {
        var path = Fixture(kind == "node" ? "node-schema1.db" : "relay-schema1.db");
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = "PRAGMA user_version = 99;";
            c.ExecuteNonQuery();
        }

        var before = Hash(path);
        var e = Assert.Throws<StoreSchemaException>(() => kind == "node" ? (IDisposable)new SqliteNodeStore(path) : new SqliteRelayStore(path));
        Assert.Contains("written by a newer Ledger (schema 99", e.Message, StringComparison.Ordinal);
        Assert.Contains("update to open it", e.Message, StringComparison.Ordinal);
        Assert.Equal((99, kind == "node" ? 3 : 5), (e.FoundVersion, e.SupportedVersion));
        Assert.Equal(before, Hash(path));
        Assert.False(File.Exists(path + "-wal"));
    }

    [Fact]
    [Trait("Risk", "G3")]
    public void A_file_that_is_not_a_database_or_another_applications_database_is_refused_unchanged()
    {
        var dir = World.TempDir();
        var garbage = Path.Combine(dir, "garbage.db");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 8192).Select(i => (byte)(i * 7)).ToArray());
        var before = Hash(garbage);
        var e = Assert.Throws<StoreSchemaException>(() => new SqliteNodeStore(garbage));
        Assert.Contains("not a SQLite database", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Hash(garbage));

        var other = Path.Combine(dir, "other.db");
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = other, Pooling = false }.ToString()))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY); INSERT INTO invoices VALUES (1);";
            c.ExecuteNonQuery();
        }

        var otherBefore = Hash(other);
        var notOurs = Assert.Throws<StoreSchemaException>(() => new SqliteRelayStore(other));
        Assert.Contains("without a 'log' table", notOurs.Message, StringComparison.Ordinal);
        Assert.Throws<StoreSchemaException>(() => new SqliteNodeStore(other));
        Assert.Equal(otherBefore, Hash(other));
        Assert.False(File.Exists(other + "-wal"));
    }
}
