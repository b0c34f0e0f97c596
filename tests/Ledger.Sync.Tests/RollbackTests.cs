using Ledger.Kernel;
using Ledger.Sync;
using Ledger.TestDomain;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync.Tests;

/// <summary>Issue 14, defect 8: a lost or damaged SQLite <c>-wal</c> rolls a store back to its last checkpoint, silently
/// (SQLite ignores WAL frames it cannot verify; a file copied without its WAL is just older). Each store keeps a durable
/// high-water mark beside its file; a relay store rolled back below it refuses to open, and a node whose store was rolled
/// back fetches its own ops back from the relay before it signs again, so it never signs a seq it used.</summary>
public class RollbackTests
{
    /// <summary>Copies a store as a lost or damaged WAL leaves it: the main file (holding what was checkpointed) and the
    /// high-water mark beside it, and the WAL lost, cut to its header, or with a flipped byte in its first frame.</summary>
    private static string CopyAsRolledBack(string path, string wal)
    {
        var copy = Path.Combine(World.TempDir(), Path.GetFileName(path));
        File.Copy(path, copy);
        File.Copy(path + "-ledger-hwm", copy + "-ledger-hwm");
        var bytes = File.ReadAllBytes(path + "-wal");
        switch (wal)
        {
            case "lost":
                break;
            case "cut":
                File.WriteAllBytes(copy + "-wal", bytes[..32]);
                break;
            case "flipped":
                bytes[32 + 24 + 100] ^= 0x40; // in the page of the first frame: its checksum no longer matches
                File.WriteAllBytes(copy + "-wal", bytes);
                break;
        }

        return copy;
    }

    /// <summary>Moves everything committed so far from the WAL into the main file (what SQLite does every 1,000 pages).</summary>
    private static void Checkpoint(string path)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        using var c = db.CreateCommand();
        c.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        using var r = c.ExecuteReader();
        Assert.True(r.Read() && r.GetInt64(0) == 0, "the checkpoint was blocked");
    }

    [Theory]
    [Trait("Risk", "G1")]
    [InlineData("lost")]
    [InlineData("cut")]
    [InlineData("flipped")]
    public async Task A_relay_store_rolled_back_by_its_wal_refuses_to_open_naming_what_it_had_acknowledged(string wal)
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        var chain = World.Chain("till-r", 6);
        using (var store = new SqliteRelayStore(path))
        {
            var relay = World.NewRelay(store);
            await relay.PushAsync(chain.Take(3).Select(o => o.Bytes).ToArray());
            Checkpoint(path);
            var answer = await relay.PushAsync(chain.Skip(3).Select(o => o.Bytes).ToArray());
            Assert.All(answer.Results, r => Assert.True(r.Held));
            var copy = CopyAsRolledBack(path, wal);

            var e = Assert.Throws<StoreDamagedException>(() => new SqliteRelayStore(copy));
            Assert.Contains("rolled back: it holds 3 ops but had acknowledged 7", e.Message, StringComparison.Ordinal);
        }

        // The intact file opens, and a file from before marks were kept gets one from what it holds.
        using (var intact = new SqliteRelayStore(path)) Assert.Equal(7, intact.Count);
        File.Delete(path + "-ledger-hwm");
        using (var unmarked = new SqliteRelayStore(path)) Assert.Equal(7, unmarked.Count);
        Assert.True(File.Exists(path + "-ledger-hwm"));
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task A_node_whose_store_lost_its_wal_fetches_its_own_ops_back_from_the_relay_before_signing_and_never_forks()
    {
        var path = Path.Combine(World.TempDir(), "node.db");
        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay);
        string copy;
        await using (var node = await World.NewNodeAsync("till-w", new SqliteNodeStore(path)))
        {
            for (var i = 0; i < 2; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
            await node.SyncAsync(link);
            Checkpoint(path);
            for (var i = 0; i < 3; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
            await node.SyncAsync(link);
            Assert.Equal(6, node.Ladder().Count(r => r.IsSafe));
            copy = CopyAsRolledBack(path, "lost");
        }

        await using var reopened = await World.ReopenAsync("till-w", new SqliteNodeStore(copy));
        Assert.Equal(3, reopened.Ladder().Count);

        // Signing now would reuse seq 4, which the relay holds: refused, typed, saying what to do.
        var e = await Assert.ThrowsAsync<StoreDamagedException>(() => reopened.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1)));
        Assert.Contains("rolled back", e.Message, StringComparison.Ordinal);
        Assert.Contains("up to seq 6 but holds them up to 3", e.Message, StringComparison.Ordinal);

        // One sync round fetches own ops 4-6 back (verified, stored, Durable at their positions); then appends go on at 7.
        await reopened.SyncAsync(link);
        Assert.Equal(6, reopened.Ladder().Count);
        var receipt = await reopened.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        Assert.Equal(7UL, receipt.Op.Seq);
        await reopened.SyncAsync(link);
        Assert.All(reopened.Ladder(), r => Assert.True(r.IsSafe, $"{r.Op} is {r.Rung}"));
        Assert.Equal(0, reopened.Durability().Refused);
        Assert.Empty(await relay.Store.ReadEvidenceAsync());
        Assert.Equal(7, relay.Store.Count);
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public async Task A_store_file_with_a_damaged_page_is_refused_at_open_as_damaged()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        using (var store = new SqliteRelayStore(path))
        {
            await World.NewRelay(store).PushAsync(World.Chain("till-q", 40).Select(o => o.Bytes).ToArray());
        }

        // Garbage over the middle of the second page (a b-tree page of the log), as a bad sector or a stray write leaves it.
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= 3 * 4096);
        for (var i = 4096 + 8; i < 4096 + 2048; i++) bytes[i] = (byte)(i * 7);
        File.WriteAllBytes(path, bytes);
        File.Delete(path + "-ledger-hwm");

        var e = Assert.Throws<StoreDamagedException>(() => new SqliteRelayStore(path));
        Assert.Contains("at open", e.Message, StringComparison.Ordinal);
    }
}
