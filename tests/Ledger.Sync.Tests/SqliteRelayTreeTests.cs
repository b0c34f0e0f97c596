using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync.Tests;

/// <summary>The Merkle tree of a SQLite relay store, kept in the file as tiles: a file of the schema before it gets
/// its tiles built from its log when it is upgraded and gives the same roots; a flipped hash in a tile or in the head is
/// a <see cref="StoreDamagedException"/> before a checkpoint is signed over it; a batch that fails after the tree was
/// extended leaves the tree as the file has it.</summary>
public sealed class SqliteRelayTreeTests
{
    // Schema 4 of the relay store as the code before the tiles created it (SqliteRelayStore.Schema at version 4).
    private const string Schema4 = """
        CREATE TABLE log (
          position INTEGER PRIMARY KEY,
          author TEXT NOT NULL,
          seq INTEGER NOT NULL,
          hash BLOB NOT NULL,
          bytes BLOB NOT NULL,
          key_event INTEGER NOT NULL,
          UNIQUE (author, seq));
        CREATE TABLE evidence (
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL,
          accused TEXT NOT NULL,
          bytes BLOB NOT NULL);
        CREATE TABLE cosignatures (id INTEGER PRIMARY KEY, note BLOB NOT NULL);
        CREATE TABLE beacons (
          author TEXT PRIMARY KEY,
          sent_at INTEGER NOT NULL,
          received_at INTEGER NOT NULL,
          bytes BLOB NOT NULL);
        CREATE TABLE bootstrap_checkpoints (
          author TEXT PRIMARY KEY,
          prefix INTEGER NOT NULL,
          envelope BLOB NOT NULL);
        PRAGMA user_version = 4;
        """;

    [Fact]
    [Trait("Risk", "G3")]
    public async Task A_relay_file_of_schema_4_gets_its_tiles_built_from_its_log_on_upgrade_and_gives_the_roots_and_proofs_of_the_in_memory_tree()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        var reference = new MerkleTree();
        var ops = new TreeOps(new Random(51)).Next(0, 70_001);
        WriteSchema4(path, ops);
        foreach (var op in ops) reference.Append(op.Bytes.Span);

        using (var store = new SqliteRelayStore(path))
        {
            Assert.Equal(ops.Count, store.Count);
            Assert.Equal(reference.Root(), await store.GetRootAsync(store.Count));
            foreach (var size in new long[] { 1, 255, 256, 257, 65_535, 65_536, 65_537, 69_999 })
            {
                Assert.Equal(reference.Root(size), await store.GetRootAsync(size));
                Assert.Equal(reference.InclusionProof(size - 1, 70_001), await store.GetInclusionProofAsync(size - 1, 70_001));
                Assert.Equal(reference.ConsistencyProof(size, 70_001), await store.GetConsistencyProofAsync(size, 70_001));
            }

            Assert.Equal(reference.Hashes(8, 0, 256), await store.GetTreeHashesAsync(8, 0, 256));
        }

        Assert.Equal(5, UserVersion(path));
        // Full tiles of levels 0 and 1 and the partial tiles above level 0; the level-0 edge (the log's last 113 ops) is
        // hashed from the log when it is needed.
        Assert.Equal((70_001 / 256) + (70_001 / 65_536) + 2, Scalar(path, "SELECT COUNT(*) FROM tree_tiles;"));
        Assert.Equal(0, Scalar(path, "SELECT COUNT(*) FROM tree_tiles WHERE level = 0 AND length(hashes) < 8192;"));

        // Reopened as version 5 and extended, it goes on from the tiles it built.
        using var reopened = new SqliteRelayStore(path);
        var more = new TreeOps(new Random(52), "more").Next(ops.Count, 1000);
        await reopened.AppendAsync(more);
        foreach (var op in more) reference.Append(op.Bytes.Span);
        Assert.Equal(reference.Root(), await reopened.GetRootAsync(reopened.Count));
        Assert.Equal(reference.ConsistencyProof(70_001, reopened.Count), await reopened.GetConsistencyProofAsync(70_001, reopened.Count));
    }

    [Fact]
    [Trait("Risk", "G3")]
    public void An_upgrade_over_a_log_row_whose_bytes_do_not_hash_to_its_chain_hash_is_refused_and_leaves_the_file_at_schema_4()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        var ops = new TreeOps(new Random(53)).Next(0, 600);
        WriteSchema4(path, ops);
        Execute(path, "UPDATE log SET bytes = x'00' || substr(bytes, 2) WHERE position = 400;");
        var e = Assert.Throws<StoreDamagedException>(() => new SqliteRelayStore(path));
        Assert.Contains("table 'log' row 400", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, UserVersion(path));
        Assert.Equal(0, Scalar(path, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'tree_%';"));
    }

    [Theory]
    [Trait("Risk", "D1")]
    [InlineData("full level 0", "UPDATE tree_tiles SET hashes = {flip} WHERE level = 0 AND idx = 1;", "older")]
    [InlineData("full level 0", "UPDATE tree_tiles SET hashes = {flip} WHERE level = 0 AND idx = 1;", "proof")]
    [InlineData("full level 0", "UPDATE tree_tiles SET hashes = {flip} WHERE level = 0 AND idx = 1;", "tiles")]
    [InlineData("edge level 1", "UPDATE tree_tiles SET hashes = {flip} WHERE level = 1 AND idx = 0;", "latest")]
    [InlineData("edge level 1", "UPDATE tree_tiles SET hashes = {flip} WHERE level = 1 AND idx = 0;", "ingest")]
    [InlineData("short tile", "UPDATE tree_tiles SET hashes = substr(hashes, 1, 100) WHERE level = 0 AND idx = 1;", "proof")]
    [InlineData("missing tile", "DELETE FROM tree_tiles WHERE level = 0 AND idx = 1;", "proof")]
    [InlineData("head root", "UPDATE tree_head SET root = {flipRoot};", "latest")]
    [InlineData("head size", "UPDATE tree_head SET size = size - 1;", "latest")]
    public async Task A_flipped_hash_in_a_tile_or_the_head_is_refused_as_damaged_before_a_checkpoint_is_signed_over_it(string what, string damage, string asked)
    {
        _ = what;
        var path = Path.Combine(World.TempDir(), "relay.db");
        using (var writer = new SqliteRelayStore(path))
        {
            await writer.AppendAsync(new TreeOps(new Random(54)).Next(0, 1000));
        }

        // One bit of one hash (the second of the tile), as a damaged page would.
        Execute(path, damage
            .Replace("{flip}", "substr(hashes, 1, 37) || (CASE WHEN substr(hashes, 38, 1) = x'00' THEN x'01' ELSE x'00' END) || substr(hashes, 39)", StringComparison.Ordinal)
            .Replace("{flipRoot}", "substr(root, 1, 5) || (CASE WHEN substr(root, 6, 1) = x'00' THEN x'01' ELSE x'00' END) || substr(root, 7)", StringComparison.Ordinal));
        using var store = new SqliteRelayStore(path);
        using var relay = new Relay(new RelayOptions { Ledger = World.Ledger, CheckpointKey = World.Key("tree-relay", 0) }, store);
        var e = await Assert.ThrowsAsync<StoreDamagedException>(async () =>
        {
            switch (asked)
            {
                case "latest": await relay.GetCheckpointAsync(); break;
                // A pull page ending inside the damaged full tile signs the checkpoint of that prefix.
                case "older": await relay.PullAsync(0, 300); break;
                case "proof": await relay.GetInclusionProofAsync(300, 1000); break;
                case "tiles": await relay.GetTreeHashesAsync(0, 256, 256); break;
                default: await store.AppendAsync(new TreeOps(new Random(55), "late").Next(1000, 5)); break;
            }
        });
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(what.StartsWith("head", StringComparison.Ordinal) ? "tree_" : "table 'tree_tiles'", e.Message, StringComparison.Ordinal);
        // Nothing was stored over the damage either.
        Assert.Equal(1000, store.Count);
        Assert.Equal(1000, Scalar(path, "SELECT COUNT(*) FROM log;"));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_batch_that_fails_after_the_tree_was_extended_in_memory_leaves_the_tree_the_file_holds_and_the_store_goes_on_from_it()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        var reference = new MerkleTree();
        var ops = new TreeOps(new Random(56));
        using var store = new SqliteRelayStore(path);
        var before = ops.Next(0, 250);
        await store.AppendAsync(before);
        foreach (var op in before) reference.Append(op.Bytes.Span);

        // The head's write fails: the ops are inserted and the edge extended (in memory) when the batch is refused.
        Execute(path, "CREATE TRIGGER refuse_head BEFORE UPDATE ON tree_head BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
        var lost = ops.Next(250, 600);
        // A trigger the store never makes refuses the write: typed as damage (the file changed under the store).
        await Assert.ThrowsAsync<StoreDamagedException>(() => store.AppendAsync(lost));
        Assert.Equal(250, store.Count);
        Assert.Equal(reference.Root(), await store.GetRootAsync(250));
        Assert.Equal(reference.InclusionProof(10, 250), await store.GetInclusionProofAsync(10, 250));

        Execute(path, "DROP TRIGGER refuse_head;");
        var again = ops.Next(250, 600);
        await store.AppendAsync(again);
        foreach (var op in again) reference.Append(op.Bytes.Span);
        Assert.Equal(reference.Root(), await store.GetRootAsync(850));
        store.Dispose();
        using var fresh = new SqliteRelayStore(path);
        Assert.Equal(reference.Root(), await fresh.GetRootAsync(850));
        Assert.Equal(reference.InclusionProof(300, 850), await fresh.GetInclusionProofAsync(300, 850));
    }

    internal static void WriteSchema4(string path, IReadOnlyList<StoredOp> ops)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        using (var create = db.CreateCommand())
        {
            create.CommandText = Schema4;
            create.ExecuteNonQuery();
        }

        using var transaction = db.BeginTransaction();
        using var insert = db.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO log (position, author, seq, hash, bytes, key_event) VALUES ($p, $a, $s, $h, $b, 0);";
        var p = insert.Parameters.Add("$p", SqliteType.Integer);
        var a = insert.Parameters.Add("$a", SqliteType.Text);
        var s = insert.Parameters.Add("$s", SqliteType.Integer);
        var h = insert.Parameters.Add("$h", SqliteType.Blob);
        var b = insert.Parameters.Add("$b", SqliteType.Blob);
        foreach (var op in ops)
        {
            p.Value = op.Position;
            a.Value = op.Author.Value;
            s.Value = (long)op.Seq;
            h.Value = op.Hash.ToArray();
            b.Value = op.Bytes.ToArray();
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static SqliteConnection Connect(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        return db;
    }

    internal static void Execute(string path, string sql)
    {
        using var db = Connect(path);
        using var c = db.CreateCommand();
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }

    internal static long Scalar(string path, string sql)
    {
        using var db = Connect(path);
        using var c = db.CreateCommand();
        c.CommandText = sql;
        return Convert.ToInt64(c.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static int UserVersion(string path) => (int)Scalar(path, "PRAGMA user_version;");
}

/// <summary>Stored ops with random bytes (a relay store checks only that the bytes hash to the chain hash), for trees
/// larger than signing real chains would allow in a test.</summary>
internal sealed class TreeOps(Random rng, string label = "tree")
{
    private readonly AuthorId[] _authors = Enumerable.Range(0, 8).Select(i => World.Chain(label + "-" + i, 0)[0].Op.Author).ToArray();
    private readonly ulong[] _seqs = new ulong[8];

    public IReadOnlyList<StoredOp> Next(long from, int count) => Enumerable.Range(0, count).Select(i =>
    {
        var a = rng.Next(_authors.Length);
        var bytes = new byte[rng.Next(20, 120)];
        rng.NextBytes(bytes);
        return new StoredOp(from + i, _authors[a], ++_seqs[a], Hash32.Sha256(bytes), bytes, false);
    }).ToArray();
}
