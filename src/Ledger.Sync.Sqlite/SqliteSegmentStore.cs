using Ledger.Kernel;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Ledger.Sync;

/// <summary>A segment store (where a kernel under a state memory budget keeps its evicted segments) in a SQLite file
/// of its own, beside the node store: one row per segment with its kept hash. It is a cache of one kernel's state, so
/// it is emptied when opened and written with synchronous=OFF (a crash loses nothing the node's log cannot rebuild;
/// the kernel verifies every segment it reads back against the hash it kept, so a damaged row is refused, not used).</summary>
public sealed class SqliteSegmentStore : ISegmentStore, IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();
    private SqliteTransaction? _batch;
    private int _batched;
    private SqliteCommand? _write;
    private SqliteCommand? _read;
    private readonly long? _capBytes;
    private readonly Ledger.Sqlite.SqliteFileOwner _owner;

    // Writes and reads share a transaction (committed every BatchWrites writes, and on dispose): an eviction round writes
    // many segments, and one commit per segment was most of its cost. Reads on this connection see uncommitted writes.
    private const int BatchWrites = 2048;

    /// <summary>The schema: version 2, one table keyed by (table, branch) without a rowid (version 1 had a rowid and a
    /// second b-tree for the key, so each replace wrote two; the file is a cache, emptied at open, so the upgrade drops it).</summary>
    internal static readonly SqliteSchema Schema = new("segment store", 2, "segments", CreateTable, new Dictionary<int, string>
    {
        [1] = "DROP TABLE segments;\n" + CreateTable,
    });

    private const string CreateTable = """
        CREATE TABLE segments (
          tbl TEXT NOT NULL,
          branch TEXT NOT NULL,
          hash BLOB NOT NULL,
          rows BLOB NOT NULL,
          PRIMARY KEY (tbl, branch)) WITHOUT ROWID;
        """;

    /// <summary>Opens (or creates) the file at <paramref name="path"/> and empties it.</summary>
    /// <exception cref="StoreSchemaException">The file was written by a newer Ledger, or is not a segment store.</exception>
    /// <exception cref="StoreUnavailableException">Another store (in this process or another) has the file open: a store
    /// owns its file until it is disposed or its process ends. The file was not emptied.</exception>
    public SqliteSegmentStore(string path)
        : this(path, capBytes: null)
    {
    }

    /// <summary>Opens the file with a size cap (tests: a full disk).</summary>
    internal SqliteSegmentStore(string path, long? capBytes)
    {
        Path = path;
        _capBytes = capBytes;
        // Owned before the file is emptied: a second store on it would delete the segments the first one's kernel evicted.
        _owner = SqliteFiles.Own(path, $"the segment store {path}");
        try
        {
            _db = Schema.Open(path, capBytes);
            SqliteFiles.Execute(_db, "PRAGMA synchronous=OFF;");
            // The statement journal each write keeps (see Write) in memory, not in a temporary file: measured, the file made
            // the eviction round's SQLite writes 20–100 % slower.
            SqliteFiles.Execute(_db, "PRAGMA temp_store=MEMORY;");
            SqliteFiles.Execute(_db, "DELETE FROM segments;");
        }
        catch
        {
            _db?.Dispose();
            _owner.Dispose();
            throw;
        }
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The segments held.</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                Commit();
                return SqliteFiles.Scalar(_db, "SELECT COUNT(*) FROM segments;");
            }
        }
    }

    /// <inheritdoc />
    public void Write(SegmentId id, Hash32 hash, ReadOnlyMemory<byte> rows)
    {
        lock (_gate)
        {
            _batch ??= _db.BeginTransaction();
            // One prepared statement for every write (parsing the SQL again per segment cost as much as the write).
            // INSERT … SELECT, not VALUES: SQLite gives such a statement a statement journal, so a write the file cannot
            // take (SQLITE_FULL: the disk, or a cap) rolls back that statement alone. With VALUES it rolled back the whole
            // batch — every segment, chain page and provenance record written since the last commit, which the kernel had
            // already dropped from memory — and the store then refused every call ("transaction has completed").
            var c = _write ??= Prepare("INSERT OR REPLACE INTO segments (tbl, branch, hash, rows) SELECT $t, $b, $h, $r;", "$t", "$b", "$h", "$r");
            c.Transaction = _batch;
            c.Parameters[0].Value = id.Table;
            c.Parameters[1].Value = id.Branch;
            c.Parameters[2].Value = hash.ToArray();
            c.Parameters[3].Value = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(rows, out var whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length
                ? whole.Array
                : rows.ToArray();
            try
            {
                c.ExecuteNonQuery();
            }
            catch (SqliteException e)
            {
                // An I/O error still rolls the whole batch back: the store goes on with a new one (what was lost reads as
                // absent, which the kernel reports as damage naming the segment, never folds).
                if (raw.sqlite3_get_autocommit(_db.Handle) != 0) Forget();
                if (SqliteFiles.IsFull(e)) throw Error.StorageFull($"the segment store {Path}", SqliteFiles.Size(_db), _capBytes ?? 0, rows.Length, e);
                throw;
            }

            if (++_batched >= BatchWrites) Commit();
        }
    }

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        var c = _db.CreateCommand();
        c.CommandText = sql;
        foreach (var name in names) c.Parameters.Add(new SqliteParameter { ParameterName = name });
        return c;
    }

    // The batch SQLite rolled back by itself.
    private void Forget()
    {
        _batch?.Dispose();
        _batch = null;
        _batched = 0;
    }

    private void Commit()
    {
        _batch?.Commit();
        _batch?.Dispose();
        _batch = null;
        _batched = 0;
    }

    /// <inheritdoc />
    public byte[]? Read(SegmentId id)
    {
        lock (_gate)
        {
            // Inside the open batch (begun here when none is): a read outside a transaction begins and ends one of its own.
            _batch ??= _db.BeginTransaction();
            var c = _read ??= Prepare("SELECT rows FROM segments WHERE tbl = $t AND branch = $b;", "$t", "$b");
            c.Transaction = _batch;
            c.Parameters[0].Value = id.Table;
            c.Parameters[1].Value = id.Branch;
            // Whatever the column holds, the kernel checks it against the hash it kept; a non-blob is no rows.
            return c.ExecuteScalar() as byte[];
        }
    }

    /// <summary>Changes a stored segment's rows (tests: a damaged file).</summary>
    internal void Overwrite(SegmentId id, byte[] rows)
    {
        lock (_gate)
        {
            Commit();
            using var c = _db.CreateCommand();
            c.CommandText = "UPDATE segments SET rows = $r WHERE tbl = $t AND branch = $b;";
            c.Parameters.AddWithValue("$t", id.Table);
            c.Parameters.AddWithValue("$b", id.Branch);
            c.Parameters.AddWithValue("$r", rows);
            c.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            Commit();
            _write?.Dispose();
            _read?.Dispose();
            _db.Dispose();
            _owner.Dispose();
        }
    }
}
