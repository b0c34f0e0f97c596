using Ledger.Kernel;
using Ledger.Sync;
using Ledger.TestDomain;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync.Tests;

/// <summary>Issue 14, defect 6: damaged rows in a store file are refused typed — "the store is damaged", naming table,
/// row and column — never an InvalidCastException, ArgumentException or "data is NULL"; and an op filed under
/// another (author, seq) than its bytes say is refused when the node opens, never folded into another chain.</summary>
public class StoreDamageTests
{
    private static async Task<string> NodeFileAsync()
    {
        var path = Path.Combine(World.TempDir(), "node.db");
        await using (var node = await World.NewNodeAsync("till-d", new SqliteNodeStore(path)))
        {
            for (var i = 0; i < 3; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", i));
        }

        return path;
    }

    /// <summary>Flips one bit of the <c>bytes</c> blob of one row (<paramref name="at"/> from the start, or from the end when negative).</summary>
    private static void FlipByte(string path, string table, string key, string keyValue, int at)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        using var read = db.CreateCommand();
        read.CommandText = $"SELECT bytes FROM {table} WHERE {key} = {keyValue};";
        var bytes = (byte[])read.ExecuteScalar()!;
        bytes[at < 0 ? bytes.Length + at : at] ^= 0x01;
        using var write = db.CreateCommand();
        write.CommandText = $"UPDATE {table} SET bytes = $b WHERE {key} = {keyValue};";
        write.Parameters.AddWithValue("$b", bytes);
        Assert.Equal(1, write.ExecuteNonQuery());
    }

    private static void Execute(string path, string sql)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        using var c = db.CreateCommand();
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }

    [Theory]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    [InlineData("UPDATE ops SET author = x'0001' WHERE id = 2;", "column 'author'", "2 bytes")]
    [InlineData("UPDATE ops SET author = 'not an author!' WHERE id = 2;", "column 'author'", "the text 'not an author!'")]
    [InlineData("UPDATE ops SET seq = 'x' WHERE id = 2;", "column 'seq'", "the text 'x'")]
    [InlineData("UPDATE ops SET seq = 0 WHERE id = 2;", "column 'seq'", "the integer 0")]
    [InlineData("UPDATE ops SET bytes = 'not bytes' WHERE id = 2;", "column 'bytes'", "the text")]
    [InlineData("UPDATE ops SET own = 5 WHERE id = 2;", "column 'own'", "the integer 5")]
    [InlineData("UPDATE ops SET position = 'p' WHERE id = 2;", "column 'position'", "the text 'p'")]
    public async Task A_damaged_row_of_a_node_store_is_refused_as_damaged_naming_table_row_and_column(string damage, string where, string found)
    {
        var path = await NodeFileAsync();
        Execute(path, damage);
        using (var store = new SqliteNodeStore(path))
        {
            var e = await Assert.ThrowsAsync<StoreDamagedException>(async () => await store.ReadAllAsync().ToListAsync());
            Assert.Contains("table 'ops' row 2 " + where, e.Message, StringComparison.Ordinal);
            Assert.Contains(found, e.Message, StringComparison.Ordinal);
        }

        // Closed first: a store owns its file while it is open.
        await Assert.ThrowsAsync<StoreDamagedException>(() => DeviceNode.OpenAsync(World.Options(), new SqliteNodeStore(path), World.Key("till-d", 0)));
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public async Task An_op_filed_under_another_seq_than_its_bytes_say_is_refused_when_the_node_opens()
    {
        var path = await NodeFileAsync();
        // Valid bytes, a changed seq column (the two ops swap filing): each row is well typed, the filing is a lie.
        Execute(path, "UPDATE ops SET seq = -seq WHERE id IN (2, 3); UPDATE ops SET seq = CASE id WHEN 2 THEN 3 ELSE 2 END WHERE id IN (2, 3);");
        var e = await Assert.ThrowsAsync<StoreDamagedException>(() => DeviceNode.OpenAsync(World.Options(), new SqliteNodeStore(path), World.Key("till-d", 0)));
        Assert.Contains("is filed as", e.Message, StringComparison.Ordinal);
        Assert.Contains("but its bytes are", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public async Task A_damaged_row_of_a_relay_store_is_refused_as_damaged_and_the_relay_serves_nothing_wrong()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        using (var store = new SqliteRelayStore(path))
        {
            await World.NewRelay(store).PushAsync(World.Chain("till-r", 2).Select(o => o.Bytes).ToArray());
        }

        Execute(path, "UPDATE log SET hash = x'0102' WHERE position = 1;");
        using var damaged = new SqliteRelayStore(path);
        var e = await Assert.ThrowsAsync<StoreDamagedException>(() => damaged.ReadAsync(0, 10));
        Assert.Contains("table 'log' row 1 column 'hash'", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 bytes, not 32 bytes", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StoreDamagedException>(() => World.NewRelay(damaged).PullAsync(0));
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public async Task A_flipped_byte_in_the_last_op_of_a_chain_is_found_when_the_node_opens()
    {
        var path = await NodeFileAsync();
        // The last byte of the tip's signature: the op still decodes and still continues its chain (nothing follows it).
        FlipByte(path, "ops", "id", "(SELECT MAX(id) FROM ops)", at: -1);
        var e = await Assert.ThrowsAsync<StoreDamagedException>(() => DeviceNode.OpenAsync(World.Options(), new SqliteNodeStore(path), World.Key("till-d", 0)));
        Assert.Contains("its signature does not verify", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public async Task A_flipped_byte_in_a_relay_stores_op_is_refused_and_never_served_or_signed()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        using (var store = new SqliteRelayStore(path))
        {
            await World.NewRelay(store).PushAsync(World.Chain("till-r", 3).Select(o => o.Bytes).ToArray());
        }

        FlipByte(path, "log", "position", "2", at: 20);
        using var damaged = new SqliteRelayStore(path);
        var e = await Assert.ThrowsAsync<StoreDamagedException>(() => damaged.ReadAsync(0, 10));
        Assert.Contains("table 'log' row 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("do not hash to the chain hash", e.Message, StringComparison.Ordinal);
        var relay = new Relay(new RelayOptions { Ledger = World.Ledger, CheckpointKey = World.Key("relay", 0) }, damaged);
        await Assert.ThrowsAsync<StoreDamagedException>(() => relay.GetCheckpointAsync());
    }
}
