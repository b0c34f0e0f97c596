using Ledger.Kernel;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

/// <summary>The embedded default relay store: one SQLite file (WAL, synchronous=FULL). A batch is one
/// transaction, committed before the relay acknowledges anything in it. The Merkle tree of the order is kept in the
/// file as C2SP tlog-tiles, extended in that same transaction (<see cref="IRelayTreeStore"/>): a relay over this store
/// holds no tree in memory and starts without reading the log.</summary>
public sealed partial class SqliteRelayStore : IRelayTreeStore, IBootstrapCheckpointStore
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();
    private readonly string _path;
    private long _count;
    // The newest cosigned notes, oldest first, as the last ReadCosignaturesAsync asked for them (_newestCosignaturesMax
    // of them), kept up to date by AddCosignatureAsync; null until read. Every node's sync round asks for them: reading
    // the rows each time was ~8 % of a relay's CPU with three nodes following it at 100 ops/s (perf, 2026-12-07).
    // Under _gate. Safe because this store owns its file: nothing else adds notes.
    private byte[][]? _newestCosignatures;
    private int _newestCosignaturesMax;
    private SqliteHotStatement? _insert;
    private readonly SqliteHighWater _highWater;
    private readonly Ledger.Sqlite.SqliteFileOwner _owner;

    /// <summary>The schema: version 1 is the layout written before files recorded a version (the log and evidence);
    /// version 2 adds the cosignatures witnesses posted (they were kept in memory and lost on restart); version 3 the
    /// latest beacon per device (the fleet's alerts survive a restart); version 4 the latest bootstrap checkpoint per
    /// member (docs/sync.md, "Bootstrap of a new device"); version 5 the Merkle tree as tiles and its head
    /// (SqliteRelayStore.Tree.cs), built from the log the file holds during the upgrade.</summary>
    internal static readonly SqliteSchema Schema = new("relay store", 5, "log", """
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
        """ + BeaconsTable + BootstrapTable + TreeTables, new Dictionary<int, string>
    {
        [1] = "CREATE TABLE cosignatures (id INTEGER PRIMARY KEY, note BLOB NOT NULL);",
        [2] = BeaconsTable,
        [3] = BootstrapTable,
        [4] = TreeTables,
    }, new Dictionary<int, Action<SqliteConnection, SqliteTransaction, string>>
    {
        [4] = BuildTree,
    });

    // One row per author: bounded by the fleet, never by how many beacons arrive.
    private const string BeaconsTable = """
        CREATE TABLE beacons (
          author TEXT PRIMARY KEY,
          sent_at INTEGER NOT NULL,
          received_at INTEGER NOT NULL,
          bytes BLOB NOT NULL);
        """;

    /// <summary>Opens (or creates) the store at <paramref name="path"/>: a file of an older schema is upgraded in one
    /// transaction; one of a newer schema, or that is not a relay store, is refused unchanged.</summary>
    /// <exception cref="StoreSchemaException">The file was written by a newer Ledger, or is not a relay store.</exception>
    /// <exception cref="StoreUnavailableException">Another store (in this process or another) has the file open: a store
    /// owns its file until it is disposed or its process ends. Nothing was read or written.</exception>
    public SqliteRelayStore(string path, long? capBytes = null)
    {
        _path = path;
        CapBytes = capBytes;
        // Owned before anything is read: this store keeps the file's count and tree edge in memory.
        _owner = SqliteFiles.Own(path, $"the relay store {path}");
        try
        {
            _db = Schema.Open(path, capBytes);
        }
        catch
        {
            _owner.Dispose();
            throw;
        }

        try
        {
            _count = SqliteFiles.Scalar(_db, "SELECT COUNT(*) FROM log;");
            CheckShape();
            _highWater = SqliteHighWater.Open(path, $"the relay store {path}");
            CheckNotRolledBack();
            if (_highWater.Mark is null && _count > 0)
            {
                // A file from before marks were kept (or whose mark was deleted): what it holds now is the mark.
                using var tip = _db.CreateCommand();
                tip.CommandText = "SELECT hash FROM log WHERE position = $p;";
                tip.Parameters.AddWithValue("$p", _count - 1);
                using var r = tip.ExecuteReader();
                if (r.Read()) _highWater.Raise(_count, new Hash32(new SqliteRow(r, $"the relay store {path}", "log", _count - 1).Blob(0, "hash", Hash32.Length)));
            }
        }
        catch
        {
            _highWater?.Dispose();
            _db.Dispose();
            _owner.Dispose();
            throw;
        }
    }

    /// <summary>A relay store that holds fewer ops than it once acknowledged was rolled back (a lost or damaged
    /// <c>-wal</c>, an older copy): serving it would hand out positions that mean other ops than devices hold, and sign
    /// checkpoints that contradict ones already given. Refused before anything is served.</summary>
    private void CheckNotRolledBack()
    {
        if (_highWater.Mark is not { } mark) return;
        if (_count < mark.Count)
        {
            throw Error.StoreDamaged($"the relay store {_path}", "at open", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"it was rolled back: it holds {_count} ops but had acknowledged {mark.Count} (recorded in {_highWater.Path}); its -wal was lost or damaged, or the file is an older copy. Restore the complete file, or rebuild the relay from the devices (RelayRebuild); do not serve this one"));
        }

        using var c = _db.CreateCommand();
        c.CommandText = "SELECT hash FROM log WHERE position = $p;";
        c.Parameters.AddWithValue("$p", mark.Count - 1);
        if (mark.Count > 0 && c.ExecuteScalar() is byte[] held && (held.Length != Hash32.Length || new Hash32(held) != mark.Hash))
        {
            throw Error.StoreDamaged($"the relay store {_path}", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"position {mark.Count - 1}"),
                $"it holds another op there than the one it acknowledged (recorded in {_highWater.Path}): the file was replaced or changed");
        }
    }

    /// <summary>The file.</summary>
    public string Path => _path;

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
    public Task<(ulong Seq, Hash32 Tip)?> GetTipAsync(AuthorId author, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT seq, hash FROM log WHERE author = $a ORDER BY seq DESC LIMIT 1;";
            c.Parameters.AddWithValue("$a", author.Value);
            using var r = c.ExecuteReader();
            if (!r.Read()) return Task.FromResult<(ulong, Hash32)?>(null);
            var row = new SqliteRow(r, $"the relay store {_path}", "log", -1);
            return Task.FromResult<(ulong, Hash32)?>(((ulong)row.Integer(0, "seq", 1), new Hash32(row.Blob(1, "hash", Hash32.Length))));
        }
    }

    /// <inheritdoc />
    public Task<StoredOp?> FindAsync(AuthorId author, ulong seq, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT position, author, seq, hash, bytes, key_event FROM log WHERE author = $a AND seq = $s;";
            c.Parameters.AddWithValue("$a", author.Value);
            c.Parameters.AddWithValue("$s", (long)seq);
            return Task.FromResult(ReadAll(c).FirstOrDefault());
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredOp>> ReadKeyEventsAsync(AuthorId author, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT position, author, seq, hash, bytes, key_event FROM log WHERE author = $a AND key_event = 1 ORDER BY seq;";
            c.Parameters.AddWithValue("$a", author.Value);
            return Task.FromResult<IReadOnlyList<StoredOp>>(ReadAll(c));
        }
    }

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        return Append(ops, null, cancellationToken);
    }

    // One transaction: the ops, then the tree extended over them (leaves: their hashes, when the relay computed them).
    private Task Append(IReadOnlyList<StoredOp> ops, IReadOnlyList<Hash32>? leaves, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (ops.Count == 0) return Task.CompletedTask;
        lock (_gate)
        {
            // Checked against its head before anything is written: a tree is never extended over a damaged edge.
            var edge = Edge();
            try
            {
                AppendLocked(ops, leaves, edge);
            }
            catch
            {
                // It may have been extended by ops that were not committed: loaded again from the file when next used.
                _edge = null;
                _nodes.Clear();
                _nodeOrder.Clear();
                throw;
            }
        }

        return Task.CompletedTask;
    }

    private void AppendLocked(IReadOnlyList<StoredOp> ops, IReadOnlyList<Hash32>? leaves, TileEdge edge)
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
                if (op.Position != _count + i) throw Error.InvalidOperation($"op {op.Author}#{op.Seq} has position {op.Position}; the next position is {_count + i}.");
                insert.Bind(1, op.Position);
                insert.Bind(2, op.Author.Value);
                insert.Bind(3, (long)op.Seq);
                op.Hash.CopyTo(hash);
                insert.Bind(4, hash);
                insert.Bind(5, op.Bytes.Span);
                insert.Bind(6, op.IsKeyEvent ? 1L : 0L);
                insert.Run();
            }

            var root = ExtendTree(edge, ops, leaves);
            transaction.Commit();
            _count += ops.Count;
            _root = root;
            _highWater.Raise(_count, ops[^1].Hash);
        }
        catch (SqliteException e) when (SqliteFiles.IsFull(e))
        {
            SqliteFiles.RollBackQuietly(transaction);
            throw Error.StorageFull($"the relay store {_path}", SqliteFiles.Size(_db), CapBytes ?? 0, ops.Sum(o => (long)o.Bytes.Length), e);
        }
        catch (SqliteException e) when (SqliteFiles.RefusedWrite($"the relay store {_path}", "table 'log'", e) is var typed && typed != e)
        {
            // Typed, as the HTTP relay answers it: damage a 500 problem naming the store, unavailable a 503 to retry.
            SqliteFiles.RollBackQuietly(transaction);
            throw typed;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredOp>> ReadAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT position, author, seq, hash, bytes, key_event FROM log WHERE position >= $p ORDER BY position LIMIT $m;";
            c.Parameters.AddWithValue("$p", fromPosition);
            c.Parameters.AddWithValue("$m", max);
            return Task.FromResult<IReadOnlyList<StoredOp>>(ReadAll(c));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredOp>> ReadAuthorAsync(AuthorId author, ulong fromSeq, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT position, author, seq, hash, bytes, key_event FROM log WHERE author = $a AND seq >= $s ORDER BY seq LIMIT $m;";
            c.Parameters.AddWithValue("$a", author.Value);
            c.Parameters.AddWithValue("$s", (long)fromSeq);
            c.Parameters.AddWithValue("$m", max);
            return Task.FromResult<IReadOnlyList<StoredOp>>(ReadAll(c));
        }
    }

    /// <inheritdoc />
    public Task AddCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "INSERT INTO cosignatures (note) VALUES ($n);";
            c.Parameters.AddWithValue("$n", note.ToArray());
            try
            {
                c.ExecuteNonQuery();
            }
            catch (SqliteException e) when (SqliteFiles.IsFull(e))
            {
                throw Error.StorageFull($"the relay store {_path}", SqliteFiles.Size(_db), CapBytes ?? 0, note.Length, e);
            }

            // Stored: the newest notes are the kept ones and this one.
            if (_newestCosignatures is { } kept)
            {
                byte[][] newest = [.. kept, note.ToArray()];
                _newestCosignatures = newest[Math.Max(0, newest.Length - _newestCosignaturesMax)..];
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task TrimCosignaturesAsync(int keep, CancellationToken cancellationToken = default)
    {
        keep = Math.Max(0, keep);
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "DELETE FROM cosignatures WHERE id <= (SELECT id FROM cosignatures ORDER BY id DESC LIMIT 1 OFFSET $k);";
            c.Parameters.AddWithValue("$k", keep);
            c.ExecuteNonQuery();
            // The kept list stays right only if it asked for no more than are left.
            if (_newestCosignatures is not null && _newestCosignaturesMax > keep) _newestCosignatures = null;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadCosignaturesAsync(int max, CancellationToken cancellationToken = default)
    {
        max = Math.Max(0, max);
        lock (_gate)
        {
            // From memory when the last read asked for as many (this store owns its file: only it adds notes).
            if (_newestCosignatures is { } kept && _newestCosignaturesMax == max) return Task.FromResult<IReadOnlyList<byte[]>>([.. kept]);
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT note FROM (SELECT id, note FROM cosignatures ORDER BY id DESC LIMIT $m) ORDER BY id;";
            c.Parameters.AddWithValue("$m", max);
            using var r = c.ExecuteReader();
            var notes = new List<byte[]>();
            while (r.Read()) notes.Add((byte[])r[0]);
            _newestCosignatures = [.. notes];
            _newestCosignaturesMax = max;
            return Task.FromResult<IReadOnlyList<byte[]>>(notes);
        }
    }

    /// <inheritdoc />
    public Task<bool> KeepBeaconAsync(BeaconRecord beacon, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(beacon);
        lock (_gate)
        {
            // One statement: a newer beacon replaces the author's row, an older or equal one changes nothing.
            using var c = _db.CreateCommand();
            c.CommandText = """
                INSERT INTO beacons (author, sent_at, received_at, bytes) VALUES ($a, $s, $r, $b)
                ON CONFLICT (author) DO UPDATE SET sent_at = excluded.sent_at, received_at = excluded.received_at, bytes = excluded.bytes
                WHERE excluded.sent_at > beacons.sent_at;
                """;
            c.Parameters.AddWithValue("$a", beacon.Author.Value);
            c.Parameters.AddWithValue("$s", beacon.SentAtUnixMs);
            c.Parameters.AddWithValue("$r", beacon.ReceivedAt.ToUnixTimeMilliseconds());
            c.Parameters.AddWithValue("$b", beacon.Bytes.ToArray());
            try
            {
                return Task.FromResult(c.ExecuteNonQuery() == 1);
            }
            catch (SqliteException e) when (SqliteFiles.IsFull(e))
            {
                throw Error.StorageFull($"the relay store {_path}", SqliteFiles.Size(_db), CapBytes ?? 0, beacon.Bytes.Length, e);
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<BeaconRecord>> ReadBeaconsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var store = $"the relay store {_path}";
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT author, sent_at, received_at, bytes FROM beacons ORDER BY author;";
            using var r = c.ExecuteReader();
            var list = new List<BeaconRecord>();
            var row = 0L;
            while (r.Read())
            {
                var cells = new SqliteRow(r, store, "beacons", row++);
                var receivedAt = cells.Integer(2, "received_at", 0);
                if (receivedAt > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
                {
                    throw Error.StoreDamaged(store, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"table 'beacons' row {row - 1} column 'received_at'"), "it is not a time");
                }

                list.Add(new BeaconRecord(cells.Author(0, "author"), cells.Integer(1, "sent_at", 0), DateTimeOffset.FromUnixTimeMilliseconds(receivedAt), cells.Blob(3, "bytes")));
            }

            // Ordinal, as the contract says (SQLite's BINARY collation orders UTF-8 bytes, which agrees for author ids).
            return Task.FromResult<IReadOnlyList<BeaconRecord>>(list.OrderBy(b => b.Author.Value, StringComparer.Ordinal).ToArray());
        }
    }

    /// <inheritdoc />
    public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        lock (_gate) SqliteFiles.AddEvidence(_db, $"the relay store {_path}", CapBytes, kind, accused, bytes);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(SqliteFiles.Evidence(_db));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _insert?.Dispose();
            _writeTile?.Dispose();
            _writeHead?.Dispose();
            _db.Dispose();
            _highWater.Dispose();
            // Last: the file is released once this store let go of it.
            _owner.Dispose();
        }
    }

    private List<StoredOp> ReadAll(SqliteCommand c)
    {
        var store = $"the relay store {_path}";
        using var r = c.ExecuteReader();
        var list = new List<StoredOp>();
        while (r.Read())
        {
            var position = r.GetValue(0) is long p ? p : -1;
            var row = new SqliteRow(r, store, "log", position);
            var op = new StoredOp(row.Integer(0, "position", 0), row.Author(1, "author"), (ulong)row.Integer(2, "seq", 1), new Hash32(row.Blob(3, "hash", Hash32.Length)),
                row.Blob(4, "bytes"), row.Flag(5, "key_event"));
            // Cheap where it matters: an op's bytes must still hash to the chain hash stored beside them, so a flipped
            // byte is refused here instead of being served or hashed into a signed checkpoint.
            if (Hash32.Sha256(op.Bytes.Span) != op.Hash)
            {
                throw Error.StoreDamaged(store, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"table 'log' row {op.Position}"), "its bytes do not hash to the chain hash stored with them");
            }

            list.Add(op);
        }

        return list;
    }
}
