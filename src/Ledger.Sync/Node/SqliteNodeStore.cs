using Ledger.Kernel;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

/// <summary>The embedded default node store: one SQLite file (WAL, synchronous=FULL), one transaction per
/// batch so many appends share one fsync (group commit), and an optional hard size cap.</summary>
public sealed class SqliteNodeStore : INodeStore
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();
    private readonly string _path;
    private SqliteHotStatement? _insert;
    private AuthorId _insertAuthor;
    private byte[] _insertAuthorUtf8 = [];
    private long _cursor;

    /// <summary>Opens (or creates) the store at <paramref name="path"/>.</summary>
    public SqliteNodeStore(string path, long? capBytes = null)
    {
        _path = path;
        CapBytes = capBytes;
        _db = SqliteFiles.Open(path, capBytes);
        SqliteFiles.Execute(_db, """
            CREATE TABLE IF NOT EXISTS ops (
              id INTEGER PRIMARY KEY,
              author TEXT NOT NULL,
              seq INTEGER NOT NULL,
              own INTEGER NOT NULL,
              position INTEGER NULL,
              refused TEXT NULL,
              bytes BLOB NOT NULL,
              UNIQUE (author, seq));
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS witness (origin TEXT PRIMARY KEY, note BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS evidence (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, accused TEXT NOT NULL, bytes BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS relay (id INTEGER PRIMARY KEY CHECK (id = 1), origin TEXT NOT NULL);
            INSERT OR IGNORE INTO meta (name, value) VALUES ('cursor', 0);
            """);
        _cursor = SqliteFiles.Scalar(_db, "SELECT value FROM meta WHERE name = 'cursor';");
    }

    /// <summary>The file.</summary>
    public string Path => _path;

    /// <inheritdoc />
    public long Cursor
    {
        get
        {
            lock (_gate) return _cursor;
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
    public IReadOnlyList<NodeOpRecord> LoadAll()
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT author, seq, own, position, refused, bytes FROM ops ORDER BY id;";
            using var r = c.ExecuteReader();
            var list = new List<NodeOpRecord>();
            while (r.Read())
            {
                list.Add(new NodeOpRecord(new OpRef(new AuthorId(r.GetString(0)), (ulong)r.GetInt64(1)), (byte[])r[5], r.GetInt64(2) == 1,
                    r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetString(4)));
            }

            return list;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ReadOnlyMemory<byte>> Load(IReadOnlyList<OpRef> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT bytes FROM ops WHERE author = $a AND seq = $s;";
            var author = c.Parameters.Add("$a", SqliteType.Text);
            var seq = c.Parameters.Add("$s", SqliteType.Integer);
            var found = new ReadOnlyMemory<byte>[ops.Count];
            for (var i = 0; i < ops.Count; i++)
            {
                author.Value = ops[i].Author.Value;
                seq.Value = (long)ops[i].Seq;
                found[i] = c.ExecuteScalar() as byte[] ?? throw new KeyNotFoundException($"{ops[i]} is not held.");
            }

            return found;
        }
    }

    /// <inheritdoc />
    public void Append(IReadOnlyList<NodeOpRecord> ops, long? cursor = null)
    {
        ArgumentNullException.ThrowIfNull(ops);
        lock (_gate)
        {
            using var transaction = _db.BeginTransaction();
            try
            {
                // One statement prepared for the store's lifetime, bound without boxing: per row, this is the
                // writer's largest cost after the fsync the whole batch shares.
                var insert = _insert ??= new SqliteHotStatement(_db, "INSERT INTO ops (author, seq, own, position, refused, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6);");
                foreach (var op in ops)
                {
                    insert.BindUtf8(1, AuthorUtf8(op.Op.Author));
                    insert.Bind(2, (long)op.Op.Seq);
                    insert.Bind(3, op.Own ? 1L : 0L);
                    insert.Bind(4, op.Position);
                    insert.Bind(5, op.RefusedBy);
                    insert.Bind(6, op.Bytes.Span);
                    insert.Run();
                }

                if (cursor is { } next)
                {
                    SqliteFiles.Execute(_db, $"UPDATE meta SET value = {next} WHERE name = 'cursor';", transaction);
                }

                transaction.Commit();
                if (cursor is { } committed) _cursor = committed;
            }
            catch (SqliteException e) when (SqliteFiles.IsFull(e))
            {
                SqliteFiles.RollBackQuietly(transaction);
                throw new StorageFullException($"the node store {_path}", SqliteFiles.Size(_db), CapBytes ?? 0, ops.Sum(x => (long)x.Bytes.Length), e);
            }
        }
    }

    /// <summary>The author's id in UTF-8; a batch is mostly one author (a node's own appends), so one entry is kept.</summary>
    private byte[] AuthorUtf8(AuthorId author)
    {
        if (author != _insertAuthor || _insertAuthorUtf8.Length == 0)
        {
            _insertAuthorUtf8 = System.Text.Encoding.UTF8.GetBytes(author.Value);
            _insertAuthor = author;
        }

        return _insertAuthorUtf8;
    }

    /// <inheritdoc />
    public void SetPositions(IReadOnlyList<(OpRef Op, long Position)> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count == 0) return;
        lock (_gate)
        {
            using var transaction = _db.BeginTransaction();
            using var c = _db.CreateCommand();
            c.Transaction = transaction;
            c.CommandText = "UPDATE ops SET position = $p WHERE author = $a AND seq = $s;";
            var p = c.Parameters.Add("$p", SqliteType.Integer);
            var a = c.Parameters.Add("$a", SqliteType.Text);
            var s = c.Parameters.Add("$s", SqliteType.Integer);
            foreach (var (op, position) in positions)
            {
                p.Value = position;
                a.Value = op.Author.Value;
                s.Value = (long)op.Seq;
                if (c.ExecuteNonQuery() != 1) throw new InvalidOperationException($"{op} is not stored.");
            }

            transaction.Commit();
        }
    }

    /// <inheritdoc />
    public void MarkRefused(OpRef op, string reason)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "UPDATE ops SET refused = $r WHERE author = $a AND seq = $s;";
            c.Parameters.AddWithValue("$r", reason);
            c.Parameters.AddWithValue("$a", op.Author.Value);
            c.Parameters.AddWithValue("$s", (long)op.Seq);
            c.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public void SaveWitness(string origin, ReadOnlyMemory<byte> note)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "INSERT INTO witness (origin, note) VALUES ($o, $n) ON CONFLICT(origin) DO UPDATE SET note = excluded.note;";
            c.Parameters.AddWithValue("$o", origin);
            c.Parameters.AddWithValue("$n", note.ToArray());
            c.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, byte[]> LoadWitnesses()
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT origin, note FROM witness;";
            using var r = c.ExecuteReader();
            var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            while (r.Read()) found[r.GetString(0)] = (byte[])r[1];
            return found;
        }
    }

    /// <inheritdoc />
    public string? RelayOrigin
    {
        get
        {
            lock (_gate)
            {
                using var c = _db.CreateCommand();
                c.CommandText = "SELECT origin FROM relay WHERE id = 1;";
                return c.ExecuteScalar() as string;
            }
        }
    }

    /// <inheritdoc />
    public void SetRelayOrigin(string origin)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "INSERT INTO relay (id, origin) VALUES (1, $o) ON CONFLICT(id) DO UPDATE SET origin = excluded.origin;";
            c.Parameters.AddWithValue("$o", origin);
            c.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public void AddEvidence(string kind, string accused, ReadOnlyMemory<byte> bytes)
    {
        lock (_gate) SqliteFiles.AddEvidence(_db, $"the node store {_path}", CapBytes, kind, accused, bytes);
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
}
