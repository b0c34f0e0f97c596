using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>A SQLite store owns its file while it is open (an exclusive lock on <c>&lt;file&gt;-ledger-lock</c>): a
/// second writing store on the same file — in this process or another — is refused at open, typed, naming the file,
/// before it reads or writes anything, and the first store goes on. Before, the second store opened, kept its own
/// in-memory view of the file (count, tree edge, cursor, high-water mark) and failed on its first write with SQLite's
/// untyped unique-constraint error; a second segment store emptied the first one's segments. Disposing the owner, or
/// its process dying (SIGKILL), releases the file at once.</summary>
public sealed class SqliteFileOwnershipTests
{
    private static ReadOnlyMemory<byte>[] Bytes(IEnumerable<SignedOp> ops) => ops.Select(o => o.Bytes).ToArray();

    /// <summary>The bytes of the database, its -wal and its high-water mark: what a refused open must not change.</summary>
    private static byte[][] Snapshot(string path) =>
        new[] { path, path + "-wal", path + "-ledger-hwm" }.Select(f => File.Exists(f) ? ReadShared(f) : []).ToArray();

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static void AssertHeldByAnother(StoreUnavailableException e, string path, string store)
    {
        Assert.Equal($"the {store} {path}", e.Store);
        Assert.Contains("another store holds the file", e.Message, StringComparison.Ordinal);
        Assert.Contains(path + "-ledger-lock", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_second_sqlite_relay_store_on_an_open_file_is_refused_typed_naming_the_file_and_the_first_goes_on_storing()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        using var store = new SqliteRelayStore(path);
        var relay = World.NewRelay(store);
        await relay.PushAsync(Bytes(World.Chain("a", 3)));
        var before = Snapshot(path);

        var e = Assert.Throws<StoreUnavailableException>(() => new SqliteRelayStore(path));
        AssertHeldByAnother(e, path, "relay store");
        Assert.Equal(before, Snapshot(path));

        var b = await relay.PushAsync(Bytes(World.Chain("b", 2)));
        Assert.All(b.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
        Assert.Equal(7, store.Count);
        store.Dispose();
        using var reopened = new SqliteRelayStore(path);
        Assert.Equal(7, reopened.Count);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_relay_process_holds_its_sqlite_file_against_other_processes_until_it_is_killed_and_then_a_store_opens_it_at_once()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        using var relay = new ChildProcessRelay(path);
        relay.Start();
        var node = await World.NewNodeAsync("till");
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 5));
        Assert.False((await node.SyncAsync(relay)).Offline);

        // Another process owns the file: refused, however often it is tried.
        for (var i = 0; i < 3; i++) AssertHeldByAnother(Assert.Throws<StoreUnavailableException>(() => new SqliteRelayStore(path)), path, "relay store");

        // SIGKILL: the OS releases the lock with the process; no stale owner blocks the next store.
        relay.Kill();
        using (var store = new SqliteRelayStore(path)) Assert.Equal(2, store.Count);
        relay.Start();
        Assert.False((await node.SyncAsync(relay)).Offline);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public async Task A_second_sqlite_node_store_on_an_open_file_is_refused_typed_naming_the_file_and_the_node_goes_on_appending()
    {
        var path = Path.Combine(World.TempDir(), "node.db");
        var node = await World.NewNodeAsync("till", new SqliteNodeStore(path));
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        var before = Snapshot(path);

        var e = Assert.Throws<StoreUnavailableException>(() => new SqliteNodeStore(path));
        AssertHeldByAnother(e, path, "node store");
        Assert.Equal(before, Snapshot(path));

        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 2));
        var hash = node.StateHash();
        await node.DisposeAsync();
        await using var reopened = await World.ReopenAsync("till", new SqliteNodeStore(path));
        Assert.Equal(hash, reopened.StateHash());
        Assert.Equal(3, reopened.Ladder().Count);
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void A_second_sqlite_segment_store_on_an_open_file_is_refused_and_does_not_empty_the_first_ones_segments()
    {
        var path = Path.Combine(World.TempDir(), "segments.db");
        var id = new SegmentId("notes", "b1");
        byte[] rows = [1, 2, 3, 4];
        using (var store = new SqliteSegmentStore(path))
        {
            store.Write(id, Hash32.Sha256(rows), rows);
            Assert.Equal(1, store.Count);

            var e = Assert.Throws<StoreUnavailableException>(() => new SqliteSegmentStore(path));
            AssertHeldByAnother(e, path, "segment store");
            Assert.Equal(rows, store.Read(id));
            Assert.Equal(1, store.Count);
        }

        // Released on dispose: the next store opens it (and empties it, as a segment store does).
        using var next = new SqliteSegmentStore(path);
        Assert.Equal(0, next.Count);
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_second_sqlite_node_checkpoint_store_on_an_open_file_is_refused_typed_and_the_first_keeps_its_checkpoint()
    {
        var path = Path.Combine(World.TempDir(), "checkpoint.db");
        var record = new NodeCheckpointRecord(3, new byte[] { 1, 2 }, new byte[] { 3, 4 });
        using (var store = new SqliteNodeCheckpointStore(path))
        {
            await store.SaveAsync(record);
            var before = Snapshot(path);
            var e = Assert.Throws<StoreUnavailableException>(() => new SqliteNodeCheckpointStore(path));
            AssertHeldByAnother(e, path, "node checkpoint store");
            Assert.Equal(before, Snapshot(path));
            Assert.Equal(3, (await store.LatestAsync())!.Ops);
        }

        using var reopened = new SqliteNodeCheckpointStore(path);
        Assert.Equal(3, (await reopened.LatestAsync())!.Ops);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public async Task A_store_file_is_read_read_only_while_its_store_is_open_and_a_store_disposed_releases_it_for_the_next()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        var store = new SqliteRelayStore(path);
        await World.NewRelay(store).PushAsync(Bytes(World.Chain("a", 1)));

        // A read-only connection (the tool's inspections, the node store's check after open) takes no ownership.
        using (var reader = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString()))
        {
            reader.Open();
            using var count = reader.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM log;";
            Assert.Equal(2L, (long)count.ExecuteScalar()!);
        }

        Assert.Throws<StoreUnavailableException>(() => new SqliteRelayStore(path));
        store.Dispose();
        using var next = new SqliteRelayStore(path);
        Assert.Equal(2, next.Count);
    }
}
