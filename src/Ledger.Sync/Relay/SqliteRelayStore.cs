using Ledger.Kernel;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

/// <summary>The embedded default relay store: one SQLite file (WAL, synchronous=FULL). A batch is one
/// transaction, committed before the relay acknowledges anything in it.</summary>
public sealed class SqliteRelayStore : IRelayStore
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();
    private readonly string _path;
    private long _count;
    private SqliteHotStatement? _insert;

    /// <summary>Opens (or creates) the store at <paramref name="path"/>.</summary>
    public SqliteRelayStore(string path, long? capBytes = null)
    {
        _path = path;
        CapBytes = capBytes;
        _db = SqliteFiles.Open(path, capBytes);
        SqliteFiles.Execute(_db, """
            CREATE TABLE IF NOT EXISTS log (
              position INTEGER PRIMARY KEY,
              author TEXT NOT NULL,
              seq INTEGER NOT NULL,
              hash BLOB NOT NULL,
              bytes BLOB NOT NULL,
              key_event INTEGER NOT NULL,
              UNIQUE (author, seq));
            CREATE TABLE IF NOT EXISTS evidence (
              id INTEGER PRIMARY KEY,
              kind TEXT NOT NULL,
              accused TEXT NOT NULL,
              bytes BLOB NOT NULL);
            """);
        _count = SqliteFiles.Scalar(_db, "SELECT COUNT(*) FROM log;");
    }

    /// <inheritdoc />
    public long Count
    {
        get
        {
            lock (_gate) return _count;
        }
    }

    /// <inheritdoc />
    public long SizeBytes
    {
        get
        {
            lock (_gate) return SqliteFiles.Size(_db);
        }
    }

    /// <inheritdoc />
    public long? CapBytes { get; }

    /// <inheritdoc />
    public bool TryGetTip(AuthorId author, out ulong seq, out Hash32 tip)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT seq, hash FROM log WHERE author = $a ORDER BY seq DESC LIMIT 1;";
            c.Parameters.AddWithValue("$a", author.Value);
            using var r = c.ExecuteReader();
            if (!r.Read())
            {
                (seq, tip) = (0, Hash32.Zero);
                return false;
            }

            seq = (ulong)r.GetInt64(0);
            tip = new Hash32((byte[])r[1]);
            return true;
        }
    }

    /// <inheritdoc />
    public StoredOp? Find(AuthorId author, ulong seq)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT position, author, seq, hash, bytes, key_event FROM log WHERE author = $a AND seq = $s;";
            c.Parameters.AddWithValue("$a", author.Value);
            c.Parameters.AddWithValue("$s", (long)seq);
            return ReadAll(c).FirstOrDefault();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredOp> KeyEvents(AuthorId author)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT position, author, seq, hash, bytes, key_event FROM log WHERE author = $a AND key_event = 1 ORDER BY seq;";
            c.Parameters.AddWithValue("$a", author.Value);
            return ReadAll(c);
        }
    }

    /// <inheritdoc />
    public void Append(IReadOnlyList<StoredOp> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        if (ops.Count == 0) return;
        lock (_gate)
        {
            using var transaction = _db.BeginTransaction();
            try
            {
                // Prepared once for the store's lifetime and bound without copies: per row this was a command's
                // overhead plus two array copies, on the CPU the signature checks need.
                var insert = _insert ??= new SqliteHotStatement(_db, "INSERT INTO log (position, author, seq, hash, bytes, key_event) VALUES (?1, ?2, ?3, ?4, ?5, ?6);");
                Span<byte> hash = stackalloc byte[Hash32.Length];
                for (var i = 0; i < ops.Count; i++)
                {
                    var op = ops[i];
                    if (op.Position != _count + i) throw new InvalidOperationException($"op {op.Author}#{op.Seq} has position {op.Position}; the next position is {_count + i}.");
                    insert.Bind(1, op.Position);
                    insert.Bind(2, op.Author.Value);
                    insert.Bind(3, (long)op.Seq);
                    op.Hash.CopyTo(hash);
                    insert.Bind(4, hash);
                    insert.Bind(5, op.Bytes.Span);
                    insert.Bind(6, op.IsKeyEvent ? 1L : 0L);
                    insert.Run();
                }

                transaction.Commit();
                _count += ops.Count;
            }
            catch (SqliteException e) when (SqliteFiles.IsFull(e))
            {
                SqliteFiles.RollBackQuietly(transaction);
                throw new StorageFullException($"the relay store {_path}", SqliteFiles.Size(_db), CapBytes ?? 0, ops.Sum(o => (long)o.Bytes.Length), e);
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredOp> Read(long fromPosition, int max)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT position, author, seq, hash, bytes, key_event FROM log WHERE position >= $p ORDER BY position LIMIT $m;";
            c.Parameters.AddWithValue("$p", fromPosition);
            c.Parameters.AddWithValue("$m", max);
            return ReadAll(c);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredOp> ReadAuthor(AuthorId author, ulong fromSeq, int max)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT position, author, seq, hash, bytes, key_event FROM log WHERE author = $a AND seq >= $s ORDER BY seq LIMIT $m;";
            c.Parameters.AddWithValue("$a", author.Value);
            c.Parameters.AddWithValue("$s", (long)fromSeq);
            c.Parameters.AddWithValue("$m", max);
            return ReadAll(c);
        }
    }

    /// <inheritdoc />
    public void AddEvidence(string kind, string accused, ReadOnlyMemory<byte> bytes)
    {
        lock (_gate) SqliteFiles.AddEvidence(_db, $"the relay store {_path}", CapBytes, kind, accused, bytes);
    }

    /// <inheritdoc />
    public IReadOnlyList<(string Kind, string Accused, byte[] Bytes)> Evidence()
    {
        lock (_gate) return SqliteFiles.Evidence(_db);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _insert?.Dispose();
            _db.Dispose();
        }
    }

    private static List<StoredOp> ReadAll(SqliteCommand c)
    {
        using var r = c.ExecuteReader();
        var list = new List<StoredOp>();
        while (r.Read())
        {
            list.Add(new StoredOp(r.GetInt64(0), new AuthorId(r.GetString(1)), (ulong)r.GetInt64(2), new Hash32((byte[])r[3]), (byte[])r[4], r.GetInt64(5) == 1));
        }

        return list;
    }
}
