using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;
using Microsoft.Data.Sqlite;

namespace Ledger.Tool.Files;

/// <summary>Reads the SQLite files of a node or relay store <b>read-only</b> into memory. The stores' own
/// constructors open read-write, switch the file to WAL and create their tables, which turned any SQLite file the
/// tool was pointed at into half a node store; a file the tool reads must leave it byte-for-byte as it was.</summary>
/// <remarks>The table layout read here is the one <see cref="SqliteNodeStore"/> and <see cref="SqliteRelayStore"/>
/// write; a file without those tables is named as not a store instead of failing inside SQLite.</remarks>
internal static class StoreFiles
{
    private const int NotADatabase = 26;

    /// <summary>A node store's ops, cursor, witnessed checkpoints and relay origin, in an in-memory store.</summary>
    /// <exception cref="InvalidInputException">No file, not SQLite, or not a node store.</exception>
    public static InMemoryNodeStore ReadNodeStore(string path)
    {
        return Read(path, "node store", ["ops", "meta", "witness", "relay"], db =>
        {
            var store = new InMemoryNodeStore();
            var records = new List<NodeOpRecord>();
            var row = 0;
            using (var c = db.CreateCommand())
            {
                c.CommandText = "SELECT author, seq, own, position, refused, bytes FROM ops ORDER BY id;";
                using var r = c.ExecuteReader();
                while (r.Read())
                {
                    row++;
                    if (r.GetValue(0) is not string authorText || !AuthorId.TryCreate(authorText, out var author)
                        || r.GetValue(1) is not long seq || seq < 1 || r.GetValue(2) is not long own
                        || r.GetValue(3) is not (DBNull or long) || r.GetValue(4) is not (DBNull or string) || r.GetValue(5) is not byte[] bytes)
                    {
                        throw Bad(path, "node store", string.Create(CultureInfo.InvariantCulture, $"row {row} of table 'ops' does not hold an op record"));
                    }

                    records.Add(new NodeOpRecord(new OpRef(author, (ulong)seq), bytes, own == 1,
                        r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetString(4)));
                }
            }

            if (records.Select(x => x.Op).Distinct().Count() != records.Count) throw Bad(path, "node store", "table 'ops' holds an op twice");
            var cursor = Scalar(db, "SELECT value FROM meta WHERE name = 'cursor';") is long value and >= 0 ? value : throw Bad(path, "node store", "it has no relay cursor");
            Completed.Of(store.AppendAsync(records, cursor));
            using (var c = db.CreateCommand())
            {
                c.CommandText = "SELECT origin, note FROM witness;";
                using var r = c.ExecuteReader();
                while (r.Read())
                {
                    if (r.GetValue(0) is not string origin || r.GetValue(1) is not byte[] note) throw Bad(path, "node store", "table 'witness' holds a row that is not a checkpoint");
                    Completed.Of(store.SaveWitnessAsync(origin, note));
                }
            }

            if (Scalar(db, "SELECT origin FROM relay WHERE id = 1;") is string { Length: > 0 } relayOrigin) Completed.Of(store.SetRelayOriginAsync(relayOrigin));
            return store;
        });
    }

    /// <summary>A relay store's log, in position order, in an in-memory store.</summary>
    /// <exception cref="InvalidInputException">No file, not SQLite, not a relay store, or a log with gaps.</exception>
    public static InMemoryRelayStore ReadRelayStore(string path)
    {
        return Read(path, "relay store", ["log"], db =>
        {
            var store = new InMemoryRelayStore();
            var ops = new List<StoredOp>();
            using var c = db.CreateCommand();
            c.CommandText = "SELECT position, author, seq, hash, bytes, key_event FROM log ORDER BY position;";
            using var r = c.ExecuteReader();
            while (r.Read())
            {
                if (r.GetValue(0) is not long position || position != ops.Count
                    || r.GetValue(1) is not string authorText || !AuthorId.TryCreate(authorText, out var author)
                    || r.GetValue(2) is not long seq || seq < 1 || r.GetValue(3) is not byte[] { Length: Hash32.Length } hash
                    || r.GetValue(4) is not byte[] bytes || r.GetValue(5) is not long keyEvent)
                {
                    throw Bad(path, "relay store", string.Create(CultureInfo.InvariantCulture, $"log position {ops.Count} is missing or does not hold an op"));
                }

                ops.Add(new StoredOp(position, author, (ulong)seq, new Hash32(hash), bytes, keyEvent == 1));
            }

            if (ops.Select(o => (o.Author, o.Seq)).Distinct().Count() != ops.Count) throw Bad(path, "relay store", "its log holds an op twice");
            Completed.Of(store.AppendAsync(ops));
            return store;
        });
    }

    private static T Read<T>(string path, string what, string[] tables, Func<SqliteConnection, T> read)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"no {what} at '{path}'.");
        // Without a -wal file beside it the file is the whole database and nobody writes it in WAL mode now: opened as
        // immutable, SQLite creates no -shm or -wal beside it either. With one (a node running, or one that did not
        // close), committed transactions may be only in the -wal: read through it, read-only (SQLite may update its
        // -shm index, never the database or the -wal).
        var immutable = !File.Exists(path + "-wal");
        var source = immutable ? new Uri(Path.GetFullPath(path)).AbsoluteUri + "?immutable=1" : path;
        var builder = new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        try
        {
            using var db = new SqliteConnection(builder.ToString());
            db.Open();
            // The tool reads the tables itself (read-only, never through the stores, which would upgrade an older file):
            // a file of a schema newer than this build knows may mean something else by them, so it is refused.
            if (Scalar(db, "PRAGMA user_version;") is long version && version > KnownSchema)
            {
                throw new InvalidInputException($"'{path}' was written by a newer Ledger (schema {version}; this tool reads up to {KnownSchema}): update the tool to read it.");
            }

            var missing = tables.Where(t => Scalar(db, $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{t}';") is not 1L).ToArray();
            if (missing.Length > 0) throw Bad(path, what, $"it has no table {string.Join(", ", missing.Select(t => $"'{t}'"))}");
            return read(db);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == NotADatabase)
        {
            throw Bad(path, what, "it is not a SQLite database");
        }
        catch (SqliteException e)
        {
            throw Bad(path, what, $"SQLite cannot read it: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>The newest schema of node and relay store files this build reads (Ledger.Sync.Sqlite's current one).</summary>
    private const long KnownSchema = 5;

    private static object? Scalar(SqliteConnection db, string sql)
    {
        using var c = db.CreateCommand();
        c.CommandText = sql;
        return c.ExecuteScalar();
    }

    private static InvalidInputException Bad(string path, string what, string why) => new($"'{path}' is not a {what}: {why}.");
}
