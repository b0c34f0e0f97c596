using Ledger.Kernel;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

/// <summary>The embedded default node store: one SQLite file (WAL, synchronous=FULL), one transaction per
/// batch so many appends share one fsync (group commit), and an optional hard size cap.</summary>
/// <remarks>SQLite's whole-file check (<c>PRAGMA quick_check</c>) runs in the background after the store opened
/// (<see cref="IStoreIntegrity"/>): the reads a node's open makes are served at once (the node verifies each record it
/// reads), while <see cref="ReadAllAsync"/> and every write wait for the check and fail with
/// <see cref="StoreDamagedException"/> when it found damage. docs/reliability.md, "Store damage and rollback".</remarks>
public sealed partial class SqliteNodeStore : INodeStore, INodeBootstrapStore, IStoreIntegrity
{
    private readonly SqliteConnection _db;
    private readonly SqliteBackgroundCheck _check;
    private readonly Lock _gate = new();
    private readonly string _path;
    private SqliteHotStatement? _insert;
    private AuthorId _insertAuthor;
    private byte[] _insertAuthorUtf8 = [];
    private long _cursor;
    private string? _relayOrigin;
    private readonly SqliteHighWater _highWater;
    private readonly Ledger.Sqlite.SqliteFileOwner _owner;
    private bool _closed;

    /// <summary>The schema: version 1 is the layout written before files recorded a version; version 2 is the same
    /// tables with the version recorded; version 3 adds the base of a device bootstrapped from a relay checkpoint (an
    /// older Ledger refuses such a store as newer instead of reading it as a log with a gap).</summary>
    internal static readonly SqliteSchema Schema = new("node store", 3, "ops", """
        CREATE TABLE ops (
          id INTEGER PRIMARY KEY,
          author TEXT NOT NULL,
          seq INTEGER NOT NULL,
          own INTEGER NOT NULL,
          position INTEGER NULL,
          refused TEXT NULL,
          bytes BLOB NOT NULL,
          UNIQUE (author, seq));
        CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        CREATE TABLE witness (origin TEXT PRIMARY KEY, note BLOB NOT NULL);
        CREATE TABLE evidence (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, accused TEXT NOT NULL, bytes BLOB NOT NULL);
        CREATE TABLE relay (id INTEGER PRIMARY KEY CHECK (id = 1), origin TEXT NOT NULL);
        INSERT INTO meta (name, value) VALUES ('cursor', 0);
        """ + BootstrapBaseTable, new Dictionary<int, string> { [1] = "", [2] = BootstrapBaseTable });

    private const string BootstrapBaseTable = "CREATE TABLE bootstrap_base (id INTEGER PRIMARY KEY CHECK (id = 1), bytes BLOB NOT NULL);";

    private const int PageSize = 4096;

    /// <summary>Opens (or creates) the store at <paramref name="path"/>: a file of an older schema is upgraded in one
    /// transaction; one of a newer schema, or that is not a node store, is refused unchanged.</summary>
    /// <exception cref="StoreSchemaException">The file was written by a newer Ledger, or is not a node store.</exception>
    /// <exception cref="StoreDamagedException">What the open read is malformed, or its high-water file does not verify.</exception>
    /// <exception cref="StoreUnavailableException">Another store (in this process or another) has the file open: a store
    /// owns its file until it is disposed or its process ends. Nothing was read or written.</exception>
    public SqliteNodeStore(string path, long? capBytes = null)
        : this(path, capBytes, beforeCheck: null)
    {
    }

    /// <summary>Opens the store; the background check awaits <paramref name="beforeCheck"/> first (tests: a check held back).</summary>
    internal SqliteNodeStore(string path, long? capBytes, Func<CancellationToken, Task>? beforeCheck)
    {
        _path = path;
        CapBytes = capBytes;
        // Owned before anything is read: this store keeps the file's cursor and own tip in memory.
        _owner = SqliteFiles.Own(path, $"the node store {path}");
        try
        {
            _db = Schema.Open(path, capBytes, checkIntegrity: false);
        }
        catch
        {
            _owner.Dispose();
            throw;
        }

        _check = SqliteBackgroundCheck.Start($"the node store {path}", path, beforeCheck);
        try
        {
            // The whole-file check comes after the open: SQLite checks the cells of each b-tree page as it loads it, so that
            // a malformed page a read meets before then is an error (a StoreDamagedException), not rows read from garbage.
            SqliteFiles.Execute(_db, "PRAGMA cell_size_check=ON;");
            _cursor = SqliteFiles.Scalar(_db, "SELECT value FROM meta WHERE name = 'cursor';");
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT origin FROM relay WHERE id = 1;";
            _relayOrigin = c.ExecuteScalar() as string;
            _highWater = SqliteHighWater.Open(path, $"the node store {path}");
            if (_highWater.Mark is null)
            {
                // A file from before marks were kept (or whose mark was deleted): what it holds now is the mark.
                using var tip = _db.CreateCommand();
                tip.CommandText = "SELECT id, seq, bytes FROM ops WHERE own = 1 ORDER BY seq DESC LIMIT 1;";
                using var r = tip.ExecuteReader();
                if (r.Read())
                {
                    var row = new SqliteRow(r, $"the node store {path}", "ops", r.GetInt64(0));
                    _highWater.Raise(row.Integer(1, "seq", 1), Hash32.Sha256(row.Blob(2, "bytes")));
                }
            }
        }
        catch (SqliteException e) when (SqliteFiles.IsDamage(e))
        {
            Close();
            throw SqliteFiles.Damaged($"the node store {path}", "at open", e);
        }
        catch
        {
            Close();
            throw;
        }

        void Close()
        {
            _check.Stop();
            _highWater?.Dispose();
            _db.Dispose();
            _owner.Dispose();
        }
    }

    /// <inheritdoc />
    public StoreCheckStatus IntegrityStatus => _check.Status;

    /// <inheritdoc />
    public Task EnsureIntactAsync(CancellationToken cancellationToken = default) => _check.WaitAsync(cancellationToken);

    /// <summary>Before a write: a store whose file is damaged is not written to (a damaged free list hands out pages in use).</summary>
    private void WaitIntact() => _check.Wait();

    /// <summary>Under the gate, before a write: a store closed while the write waited for the check (which may have passed
    /// just before) says so, not SQLite's "the connection is not open".</summary>
    private void ThrowIfClosed()
    {
        if (_closed) throw new ObjectDisposedException(_path, $"the node store {_path} was closed.");
    }

    /// <summary>A read that met a malformed page.</summary>
    private StoreDamagedException Damaged(string where, SqliteException e) => SqliteFiles.Damaged($"the node store {_path}", where, e);

    /// <summary>A read that may come before the check ended (an open makes it): a malformed page is a StoreDamagedException.</summary>
    private T Read<T>(string where, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (SqliteException e) when (SqliteFiles.IsDamage(e))
        {
            throw Damaged(where, e);
        }
    }

    /// <inheritdoc />
    public OwnHighWater? OwnHighWater
    {
        get
        {
            lock (_gate) return _highWater.Mark is { } mark ? new OwnHighWater((ulong)mark.Count, mark.Hash) : null;
        }
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
    public Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(Read("table 'ops'", () => SqliteFiles.Scalar(_db, "SELECT EXISTS (SELECT 1 FROM ops);")) == 0);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<NodeOpRecord> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The whole log: what a damaged file may have lost silently (a row skipped) is served only once the check passed.
        await _check.WaitAsync(cancellationToken).ConfigureAwait(false);
        // Pages by row id: the store is not held between pages, and appends made meanwhile come after the last page.
        for (var after = 0L; ;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = new List<NodeOpRecord>(PageSize);
            lock (_gate)
            {
                try
                {
                    using var c = _db.CreateCommand();
                    c.CommandText = "SELECT id, author, seq, own, position, refused, bytes FROM ops WHERE id > $after ORDER BY id LIMIT $max;";
                    c.Parameters.AddWithValue("$after", after);
                    c.Parameters.AddWithValue("$max", PageSize);
                    using var r = c.ExecuteReader();
                    while (r.Read())
                    {
                        after = r.GetInt64(0); // the row id: SQLite guarantees an integer
                        var row = new SqliteRow(r, $"the node store {_path}", "ops", after);
                        page.Add(new NodeOpRecord(new OpRef(row.Author(1, "author"), (ulong)row.Integer(2, "seq", 1)), row.Blob(6, "bytes"), row.Flag(3, "own"),
                            row.NullableInteger(4, "position", 0), row.NullableText(5, "refused")));
                    }
                }
                catch (SqliteException e) when (SqliteFiles.IsDamage(e))
                {
                    throw Damaged($"table 'ops' after row {after}", e);
                }
            }

            foreach (var record in page) yield return record;
            if (page.Count < PageSize) yield break;
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ReadOnlyMemory<byte>>> LoadAsync(IReadOnlyList<OpRef> ops, CancellationToken cancellationToken = default)
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
                object? value;
                try
                {
                    value = c.ExecuteScalar();
                }
                catch (SqliteException e) when (SqliteFiles.IsDamage(e))
                {
                    throw Damaged($"table 'ops' op {ops[i]}", e);
                }

                found[i] = value switch
                {
                    byte[] bytes => bytes,
                    null => throw Error.KeyNotFound($"{ops[i]} is not held."),
                    var other => throw Error.StoreDamaged($"the node store {_path}", $"table 'ops' op {ops[i]} column 'bytes'", $"it holds {other.GetType().Name}, not bytes"),
                };
            }

            return Task.FromResult<IReadOnlyList<ReadOnlyMemory<byte>>>(found);
        }
    }

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<NodeOpRecord> ops, long? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        cancellationToken.ThrowIfCancellationRequested();
        WaitIntact();
        lock (_gate)
        {
            ThrowIfClosed();
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
                Stored(ops.Count);
                if (cursor is { } committed) _cursor = committed;
                // The own tip, recorded outside the database: what a lost -wal would take back is still known.
                NodeOpRecord? ownTip = null;
                foreach (var op in ops)
                {
                    if (op.Own && (ownTip is null || op.Op.Seq > ownTip.Op.Seq)) ownTip = op;
                }

                if (ownTip is not null) _highWater.Raise((long)ownTip.Op.Seq, Hash32.Sha256(ownTip.Bytes.Span));
            }
            catch (SqliteException e) when (SqliteFiles.IsFull(e))
            {
                SqliteFiles.RollBackQuietly(transaction);
                throw Error.StorageFull($"the node store {_path}", SqliteFiles.Size(_db), CapBytes ?? 0, ops.Sum(x => (long)x.Bytes.Length), e);
            }
        }

        return Task.CompletedTask;
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
    public Task SetPositionsAsync(IReadOnlyList<(OpRef Op, long Position)> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count == 0) return Task.CompletedTask;
        WaitIntact();
        lock (_gate)
        {
            ThrowIfClosed();
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
                if (c.ExecuteNonQuery() != 1) throw Error.InvalidOperation($"{op} is not stored.");
            }

            transaction.Commit();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task MarkRefusedAsync(OpRef op, string reason, CancellationToken cancellationToken = default)
    {
        WaitIntact();
        lock (_gate)
        {
            ThrowIfClosed();
            using var c = _db.CreateCommand();
            c.CommandText = "UPDATE ops SET refused = $r WHERE author = $a AND seq = $s;";
            c.Parameters.AddWithValue("$r", reason);
            c.Parameters.AddWithValue("$a", op.Author.Value);
            c.Parameters.AddWithValue("$s", (long)op.Seq);
            c.ExecuteNonQuery();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SaveWitnessAsync(string origin, ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default)
    {
        WaitIntact();
        lock (_gate)
        {
            ThrowIfClosed();
            using var c = _db.CreateCommand();
            c.CommandText = "INSERT INTO witness (origin, note) VALUES ($o, $n) ON CONFLICT(origin) DO UPDATE SET note = excluded.note;";
            c.Parameters.AddWithValue("$o", origin);
            c.Parameters.AddWithValue("$n", note.ToArray());
            c.ExecuteNonQuery();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, byte[]>> LoadWitnessesAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Read<IReadOnlyDictionary<string, byte[]>>("table 'witness'", () =>
            {
                using var c = _db.CreateCommand();
                c.CommandText = "SELECT origin, note FROM witness;";
                using var r = c.ExecuteReader();
                var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                while (r.Read()) found[r.GetString(0)] = (byte[])r[1];
                return found;
            }));
        }
    }

    /// <inheritdoc />
    public string? RelayOrigin
    {
        get
        {
            lock (_gate) return _relayOrigin;
        }
    }

    /// <inheritdoc />
    public Task SetRelayOriginAsync(string origin, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        WaitIntact();
        lock (_gate)
        {
            ThrowIfClosed();
            using var c = _db.CreateCommand();
            c.CommandText = "INSERT INTO relay (id, origin) VALUES (1, $o) ON CONFLICT(id) DO UPDATE SET origin = excluded.origin;";
            c.Parameters.AddWithValue("$o", origin);
            c.ExecuteNonQuery();
            _relayOrigin = origin;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        WaitIntact();
        lock (_gate)
        {
            ThrowIfClosed();
            SqliteFiles.AddEvidence(_db, $"the node store {_path}", CapBytes, kind, accused, bytes);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(Read("table 'evidence'", () => SqliteFiles.Evidence(_db)));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _check.Stop();
        lock (_gate)
        {
            _closed = true;
            _insert?.Dispose();
            _db.Dispose();
            _highWater.Dispose();
            // Last: the file is released once this store and its check let go of it.
            _owner.Dispose();
        }
    }
}
