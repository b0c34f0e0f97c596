using System.Globalization;
using Ledger.Kernel;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Sync;

/// <summary>A relay store in PostgreSQL that many relay instances share: the order of one ledger, its evidence and the
/// cosignatures witnesses posted. A batch is one transaction: it locks the ledger's counter row, takes the next
/// positions from it, inserts the ops and moves the counter on, then commits — so positions are contiguous, batches
/// commit in position order, and a reader never sees position N+1 before N. A unique (ledger, author, seq) makes a
/// resend through another instance a conflict the relay resolves to a duplicate, never a second copy. The same
/// transaction extends the ledger's Merkle tree, kept as C2SP tlog-tiles with its head (root and size) in the counter
/// row, so every instance serves the same checkpoint from the database and none holds the tree in memory.</summary>
/// <remarks>The schema is created on first use and upgraded in one transaction; a database of a newer schema is refused
/// unchanged (<see cref="StoreSchemaException"/>). A server that cannot be reached is a
/// <see cref="StoreUnavailableException"/>; rows the schema does not allow are a <see cref="StoreDamagedException"/>.
/// Safe for concurrent use.</remarks>
public sealed partial class PostgreSqlRelayStore : ISharedRelayStore, ILeafHashedRelayStore, IAuthorChainReader, IRelayTreeStore, IBootstrapCheckpointStore
{
    private const string Columns = "position, author, seq, hash, bytes, key_event";
    // Rows cost more than their op bytes (hash, author, tuple header): a flat allowance keeps the cap honest.
    private const long RowOverhead = 96;
    private readonly NpgsqlDataSource _source;
    private readonly bool _ownsSource;
    private readonly string _ledger;
    private readonly string _name;
    private readonly PostgreSqlMerkleTree _tree;
    private long _count;
    private long _logBytes;
    private long _otherBytes;

    /// <summary>Opens the store of <paramref name="ledger"/> in the database <paramref name="connectionString"/> names,
    /// creating or upgrading the schema (see the remarks).</summary>
    /// <exception cref="StoreSchemaException">The database holds a newer Ledger schema; nothing was changed.</exception>
    /// <exception cref="StoreUnavailableException">The server cannot be reached.</exception>
    public PostgreSqlRelayStore(string connectionString, string ledger, long? capBytes = null)
        : this(NpgsqlDataSource.Create(connectionString), ledger, capBytes, ownsSource: true)
    {
    }

    /// <summary>Opens the store of <paramref name="ledger"/> over <paramref name="dataSource"/> (the caller keeps
    /// ownership of it), creating or upgrading the schema.</summary>
    /// <exception cref="StoreSchemaException">The database holds a newer Ledger schema; nothing was changed.</exception>
    /// <exception cref="StoreUnavailableException">The server cannot be reached.</exception>
    public PostgreSqlRelayStore(NpgsqlDataSource dataSource, string ledger, long? capBytes = null)
        : this(dataSource, ledger, capBytes, ownsSource: false)
    {
    }

    private PostgreSqlRelayStore(NpgsqlDataSource dataSource, string ledger, long? capBytes, bool ownsSource)
        : this(dataSource, ledger, capBytes, ownsSource, PostgreSqlSchema.Relay)
    {
    }

    internal PostgreSqlRelayStore(NpgsqlDataSource dataSource, string ledger, long? capBytes, bool ownsSource, PostgreSqlSchema schema)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (!global::Ledger.Signing.LedgerName.IsValid(ledger)) throw Error.Argument($"'{ledger}' is not a ledger name.", nameof(ledger));
        _source = dataSource;
        _ownsSource = ownsSource;
        _ledger = ledger;
        CapBytes = capBytes;
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        // Names the server and database, never the password.
        _name = $"the PostgreSQL relay store of ledger '{ledger}' (database '{builder.Database}' on {builder.Host}:{builder.Port})";
        _tree = new PostgreSqlMerkleTree(ledger, _name);
        try
        {
            // A constructor cannot await; opening is once per process.
            OpenAsync(schema).GetAwaiter().GetResult();
        }
        catch
        {
            if (ownsSource) dataSource.Dispose();
            throw;
        }
    }

    /// <summary>The ledger whose order this store keeps.</summary>
    public string Ledger => _ledger;

    /// <inheritdoc />
    public long Count => Interlocked.Read(ref _count);

    /// <inheritdoc />
    public long SizeBytes => Interlocked.Read(ref _logBytes) + Interlocked.Read(ref _otherBytes);

    /// <inheritdoc />
    public long? CapBytes { get; }

    /// <summary>Tile rows read since the store opened (tests check that reads stay O(log n)).</summary>
    internal long TilesRead => _tree.TilesRead;

    /// <summary>Ingest transactions this store committed (tests count them: a group of pushes is one).</summary>
    internal long IngestCommits => Interlocked.Read(ref _ingestCommits);

    private long _ingestCommits;

    /// <summary>Runs inside the ingest transaction after every write and before the commit (tests end the session
    /// there, as a crash would).</summary>
    internal Func<NpgsqlConnection, Task>? BeforeCommit { get; set; }

    private async Task OpenAsync(PostgreSqlSchema schema)
    {
        await RunAsync("opening", async connection =>
        {
            await schema.EnsureAsync(connection, _name, CancellationToken.None).ConfigureAwait(false);
            await using (var ensure = new NpgsqlCommand("INSERT INTO ledger_relay_ledgers (ledger, next_position, log_bytes) VALUES ($1, 0, 0) ON CONFLICT (ledger) DO NOTHING;", connection))
            {
                ensure.Parameters.Add(new NpgsqlParameter { Value = _ledger });
                await ensure.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            // The counter must agree with the log: the newest row is at next_position - 1.
            await using var check = new NpgsqlCommand(
                "SELECT l.next_position, (SELECT max(position) FROM ledger_relay_log WHERE ledger = $1) FROM ledger_relay_ledgers l WHERE l.ledger = $1;", connection);
            check.Parameters.Add(new NpgsqlParameter { Value = _ledger });
            await using var r = await check.ExecuteReaderAsync().ConfigureAwait(false);
            await r.ReadAsync().ConfigureAwait(false);
            var next = r.GetInt64(0);
            var last = r.IsDBNull(1) ? -1 : r.GetInt64(1);
            if (last != next - 1)
            {
                throw Error.StoreDamaged(_name, "table 'ledger_relay_ledgers' column 'next_position'",
                    string.Create(CultureInfo.InvariantCulture, $"it says {next} ops are stored, but the log's last position is {last}"));
            }

            return 0;
        }, CancellationToken.None).ConfigureAwait(false);
        await RefreshAsync().ConfigureAwait(false);
        await RunAsync("measuring", async connection =>
        {
            Interlocked.Exchange(ref _otherBytes, await OtherBytesAsync(connection, CancellationToken.None).ConfigureAwait(false));
            return 0;
        }, CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<long> RefreshAsync(CancellationToken cancellationToken = default) => RunAsync("reading the counter", async connection =>
    {
        await using var c = new NpgsqlCommand("SELECT next_position, log_bytes FROM ledger_relay_ledgers WHERE ledger = $1;", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        await using var r = await c.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false)) throw Error.StoreDamaged(_name, "table 'ledger_relay_ledgers'", "the ledger's counter row is gone");
        var next = r.GetInt64(0);
        Interlocked.Exchange(ref _logBytes, r.GetInt64(1));
        Advance(next);
        return next;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<(ulong Seq, Hash32 Tip)?> GetTipAsync(AuthorId author, CancellationToken cancellationToken = default) => RunAsync("reading a tip", async connection =>
    {
        await using var c = new NpgsqlCommand($"SELECT {Columns} FROM ledger_relay_log WHERE ledger = $1 AND author = $2 ORDER BY seq DESC LIMIT 1;", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        c.Parameters.Add(new NpgsqlParameter { Value = author.Value });
        var ops = await ReadOpsAsync(c, null, cancellationToken).ConfigureAwait(false);
        return ops.Count == 0 ? ((ulong, Hash32)?)null : (ops[0].Seq, ops[0].Hash);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<StoredOp?> FindAsync(AuthorId author, ulong seq, CancellationToken cancellationToken = default) => RunAsync("finding an op", async connection =>
    {
        await using var c = new NpgsqlCommand($"SELECT {Columns} FROM ledger_relay_log WHERE ledger = $1 AND author = $2 AND seq = $3;", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        c.Parameters.Add(new NpgsqlParameter { Value = author.Value });
        c.Parameters.Add(new NpgsqlParameter { Value = checked((long)seq) });
        return (await ReadOpsAsync(c, null, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredOp>> ReadKeyEventsAsync(AuthorId author, CancellationToken cancellationToken = default) => RunAsync("reading key events", async connection =>
    {
        await using var c = new NpgsqlCommand($"SELECT {Columns} FROM ledger_relay_log WHERE ledger = $1 AND author = $2 AND key_event ORDER BY seq;", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        c.Parameters.Add(new NpgsqlParameter { Value = author.Value });
        return (IReadOnlyList<StoredOp>)await ReadOpsAsync(c, null, cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    // A group's authors in one round trip (IAuthorChainReader): each one's last op, then the key events of all of them.
    Task<IReadOnlyDictionary<AuthorId, (StoredOp Tip, IReadOnlyList<StoredOp> KeyEvents)>> IAuthorChainReader.ReadChainsAsync(IReadOnlyCollection<AuthorId> authors, CancellationToken cancellationToken) =>
        RunAsync("reading authors' chains", async connection =>
    {
        var names = authors.Select(a => a.Value).ToArray();
        var batch = new NpgsqlBatch(connection);
        await using (batch.ConfigureAwait(false))
        {
            var tips = new NpgsqlBatchCommand($"SELECT DISTINCT ON (author) {Columns} FROM ledger_relay_log WHERE ledger = $1 AND author = ANY($2) ORDER BY author, seq DESC;");
            tips.Parameters.Add(new NpgsqlParameter { Value = _ledger });
            tips.Parameters.Add(new NpgsqlParameter { Value = names, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            batch.BatchCommands.Add(tips);
            var keys = new NpgsqlBatchCommand($"SELECT {Columns} FROM ledger_relay_log WHERE ledger = $1 AND author = ANY($2) AND key_event ORDER BY author, seq;");
            keys.Parameters.Add(new NpgsqlParameter { Value = _ledger });
            keys.Parameters.Add(new NpgsqlParameter { Value = names, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            batch.BatchCommands.Add(keys);
            await using var r = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var last = await ReadRowsAsync(r, null, cancellationToken).ConfigureAwait(false);
            await r.NextResultAsync(cancellationToken).ConfigureAwait(false);
            var events = (await ReadRowsAsync(r, null, cancellationToken).ConfigureAwait(false)).ToLookup(o => o.Author);
            return (IReadOnlyDictionary<AuthorId, (StoredOp, IReadOnlyList<StoredOp>)>)last.ToDictionary(o => o.Author, o => (o, (IReadOnlyList<StoredOp>)events[o.Author].ToArray()));
        }
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredOp>> ReadAsync(long fromPosition, int max, CancellationToken cancellationToken = default) => RunAsync("reading the log", async connection =>
    {
        await using var c = new NpgsqlCommand($"SELECT {Columns} FROM ledger_relay_log WHERE ledger = $1 AND position >= $2 ORDER BY position LIMIT $3;", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        c.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, fromPosition) });
        c.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, max) });
        var ops = await ReadOpsAsync(c, Math.Max(0, fromPosition), cancellationToken).ConfigureAwait(false);
        if (ops.Count > 0) Advance(ops[^1].Position + 1);
        return (IReadOnlyList<StoredOp>)ops;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredOp>> ReadAuthorAsync(AuthorId author, ulong fromSeq, int max, CancellationToken cancellationToken = default) => RunAsync("reading an author", async connection =>
    {
        await using var c = new NpgsqlCommand($"SELECT {Columns} FROM ledger_relay_log WHERE ledger = $1 AND author = $2 AND seq >= $3 ORDER BY seq LIMIT $4;", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        c.Parameters.Add(new NpgsqlParameter { Value = author.Value });
        c.Parameters.Add(new NpgsqlParameter { Value = (long)Math.Min(fromSeq, long.MaxValue) });
        c.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, max) });
        return (IReadOnlyList<StoredOp>)await ReadOpsAsync(c, null, cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The batch must start at <see cref="Count"/> as the database has it (a single relay instance); relays
    /// sharing the database use <see cref="AppendSequencedAsync"/>.</remarks>
    public async Task AppendAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        if (ops.Count == 0) return;
        for (var i = 1; i < ops.Count; i++)
        {
            if (ops[i].Position != ops[0].Position + i) throw Error.InvalidOperation($"op {ops[i].Author}#{ops[i].Seq} has position {ops[i].Position}; positions in a batch are contiguous.");
        }

        await StoreAsync(ops, null, ops[0].Position, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<long> AppendSequencedAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        return ops.Count == 0 ? RefreshAsync(cancellationToken) : StoreAsync(ops, null, null, cancellationToken);
    }

    // The relay's path (ILeafHashedRelayStore): the leaves it hashed before its gate.
    Task<long> ILeafHashedRelayStore.AppendSequencedAsync(IReadOnlyList<StoredOp> ops, IReadOnlyList<Hash32> leaves, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentNullException.ThrowIfNull(leaves);
        if (leaves.Count != ops.Count) throw Error.Argument("one leaf hash per op.", nameof(leaves));
        return ops.Count == 0 ? RefreshAsync(cancellationToken) : StoreAsync(ops, leaves, null, cancellationToken);
    }

    // One transaction: lock the counter row, take positions from it, insert, move it on, commit. The lock orders every
    // batch of the ledger, across instances: a batch commits before the next one can even read the counter.
    private Task<long> StoreAsync(IReadOnlyList<StoredOp> ops, IReadOnlyList<Hash32>? knownLeaves, long? expectedFirst, CancellationToken cancellationToken) => RunAsync("storing a batch", async connection =>
    {
        var bytes = 0L;
        var authors = new string[ops.Count];
        var seqs = new long[ops.Count];
        var hashes = new byte[ops.Count][];
        var blobs = new byte[ops.Count][];
        var keyEvents = new bool[ops.Count];
        // Leaf hashes before the transaction (unless the relay hashed them already): the counter row's lock is held for
        // as short a time as can be.
        var leaves = knownLeaves ?? new Hash32[ops.Count];
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            authors[i] = op.Author.Value;
            seqs[i] = checked((long)op.Seq);
            hashes[i] = op.Hash.ToArray();
            blobs[i] = WholeArray(op.Bytes);
            keyEvents[i] = op.IsKeyEvent;
            if (knownLeaves is null) ((Hash32[])leaves)[i] = MerkleTree.LeafHash(op.Bytes.Span);
            bytes += op.Bytes.Length + RowOverhead;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        PostgreSqlMerkleTree.Head head;
        // The counter row, locked, and the right edge of the tree (the partial tile of each level) in the same round trip.
        var lockRow = _tree.LockHeadBatch(connection, transaction);
        await using (lockRow.ConfigureAwait(false))
        {
            await using var r = await lockRow.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            head = await _tree.ReadLockedHeadAsync(r, cancellationToken).ConfigureAwait(false) ?? throw Error.StoreDamaged(_name, "table 'ledger_relay_ledgers'", "the ledger's counter row is gone");
        }

        var (first, logBytes) = (head.Size, head.LogBytes);

        if (expectedFirst is { } expected && expected != first)
        {
            Advance(first);
            throw Error.InvalidOperation(string.Create(CultureInfo.InvariantCulture, $"the batch starts at position {expected}; the next position is {first}. Nothing was stored."));
        }

        if (CapBytes is { } cap)
        {
            var other = await OtherBytesAsync(connection, cancellationToken).ConfigureAwait(false);
            if (logBytes + other + bytes > cap) throw Error.StorageFull(_name, logBytes + other, cap, bytes);
        }

        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            var insert = new NpgsqlBatchCommand($"""
                INSERT INTO ledger_relay_log (ledger, {Columns})
                SELECT $1, $2 + u.n - 1, u.author, u.seq, u.hash, u.bytes, u.key_event
                FROM unnest($3::text[], $4::bigint[], $5::bytea[], $6::bytea[], $7::boolean[]) WITH ORDINALITY AS u (author, seq, hash, bytes, key_event, n);
                """);
            insert.Parameters.Add(new NpgsqlParameter { Value = _ledger });
            insert.Parameters.Add(new NpgsqlParameter { Value = first });
            insert.Parameters.Add(new NpgsqlParameter { Value = authors, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = seqs });
            insert.Parameters.Add(new NpgsqlParameter { Value = hashes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            insert.Parameters.Add(new NpgsqlParameter { Value = blobs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            insert.Parameters.Add(new NpgsqlParameter { Value = keyEvents });
            batch.BatchCommands.Add(insert);
            // The tree, extended in this transaction: the edge is checked against the head first (never extended
            // over damage), the changed tiles written and the new head recorded with the counter.
            var (tiles, root) = _tree.Extend(head, leaves);
            batch.BatchCommands.Add(_tree.WriteCommand(tiles));
            var move = new NpgsqlBatchCommand("UPDATE ledger_relay_ledgers SET next_position = next_position + $2, log_bytes = log_bytes + $3, tree_root = $4 WHERE ledger = $1;");
            move.Parameters.Add(new NpgsqlParameter { Value = _ledger });
            move.Parameters.Add(new NpgsqlParameter { Value = (long)ops.Count });
            move.Parameters.Add(new NpgsqlParameter { Value = bytes });
            move.Parameters.Add(new NpgsqlParameter { Value = root.ToArray() });
            batch.BatchCommands.Add(move);
            // Delivered on commit: instances listening (PostgreSqlRelayListener) wake their long polls.
            batch.BatchCommands.Add(PostgreSqlRelayListener.NotifyCommand(_ledger, first + ops.Count));
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (BeforeCommit is { } beforeCommit) await beforeCommit(connection).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _ingestCommits);
        Interlocked.Exchange(ref _logBytes, logBytes + bytes);
        Advance(first + ops.Count);
        return first;
    }, cancellationToken);

    // The op's bytes as an array for the parameter: its own array when the memory is one whole (what a decoded op holds),
    // a copy otherwise. Only read: Npgsql writes it to the wire.
    private static byte[] WholeArray(ReadOnlyMemory<byte> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();

    /// <inheritdoc />
    public Task<Hash32> GetRootAsync(long size, CancellationToken cancellationToken = default) =>
        RunAsync("reading the Merkle tree", connection => _tree.RootAsync(connection, size, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) =>
        RunAsync("reading the Merkle tree", connection => _tree.InclusionProofAsync(connection, index, size, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) =>
        RunAsync("reading the Merkle tree", connection => _tree.ConsistencyProofAsync(connection, size1, size2, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetTreeHashesAsync(int level, long from, int count, CancellationToken cancellationToken = default) =>
        RunAsync("reading the Merkle tree", connection => _tree.HashesAsync(connection, level, from, count, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task AddCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) => RunAsync("keeping a cosignature", async connection =>
    {
        await CheckCapAsync(connection, note.Length, cancellationToken).ConfigureAwait(false);
        await using var c = new NpgsqlCommand("INSERT INTO ledger_relay_cosignatures (ledger, note) VALUES ($1, $2);", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        c.Parameters.Add(new NpgsqlParameter { Value = note.ToArray() });
        await c.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _otherBytes, note.Length + RowOverhead);
        return 0;
    }, cancellationToken);

    /// <inheritdoc />
    public Task TrimCosignaturesAsync(int keep, CancellationToken cancellationToken = default) => RunAsync("trimming cosignatures", async connection =>
    {
        await using var c = new NpgsqlCommand("""
            DELETE FROM ledger_relay_cosignatures WHERE ledger = $1 AND id <= (
                SELECT id FROM ledger_relay_cosignatures WHERE ledger = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)
            RETURNING length(note);
            """, connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        c.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, keep) });
        await using var r = await c.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        long freed = 0;
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) freed += r.GetInt32(0) + RowOverhead;
        Interlocked.Add(ref _otherBytes, -freed);
        return 0;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadCosignaturesAsync(int max, CancellationToken cancellationToken = default) => RunAsync("reading cosignatures", async connection =>
    {
        await using var c = new NpgsqlCommand("SELECT note FROM (SELECT id, note FROM ledger_relay_cosignatures WHERE ledger = $1 ORDER BY id DESC LIMIT $2) n ORDER BY id;", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        c.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, max) });
        await using var r = await c.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var notes = new List<byte[]>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) notes.Add(r.GetFieldValue<byte[]>(0));
        return (IReadOnlyList<byte[]>)notes;
    }, cancellationToken);

    /// <inheritdoc />
    public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) => RunAsync("keeping evidence", async connection =>
    {
        await CheckCapAsync(connection, bytes.Length, cancellationToken).ConfigureAwait(false);
        await using var c = new NpgsqlCommand("INSERT INTO ledger_relay_evidence (ledger, kind, accused, bytes) VALUES ($1, $2, $3, $4);", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        c.Parameters.Add(new NpgsqlParameter { Value = kind });
        c.Parameters.Add(new NpgsqlParameter { Value = accused });
        c.Parameters.Add(new NpgsqlParameter { Value = bytes.ToArray() });
        await c.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _otherBytes, bytes.Length + RowOverhead);
        return 0;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default) => RunAsync("reading evidence", async connection =>
    {
        await using var c = new NpgsqlCommand("SELECT kind, accused, bytes FROM ledger_relay_evidence WHERE ledger = $1 ORDER BY id;", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        await using var r = await c.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<(string, string, byte[])>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add((r.GetString(0), r.GetString(1), r.GetFieldValue<byte[]>(2)));
        return (IReadOnlyList<(string, string, byte[])>)list;
    }, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsSource) _source.Dispose();
    }

    private async Task CheckCapAsync(NpgsqlConnection connection, long wanted, CancellationToken cancellationToken)
    {
        if (CapBytes is not { } cap) return;
        var used = await OtherBytesAsync(connection, cancellationToken).ConfigureAwait(false) + Interlocked.Read(ref _logBytes);
        if (used + wanted + RowOverhead > cap) throw Error.StorageFull(_name, used, cap, wanted);
    }

    private async Task<long> OtherBytesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var c = new NpgsqlCommand("""
            SELECT coalesce((SELECT sum(octet_length(bytes) + $2) FROM ledger_relay_evidence WHERE ledger = $1), 0)
                 + coalesce((SELECT sum(octet_length(note) + $2) FROM ledger_relay_cosignatures WHERE ledger = $1), 0);
            """, connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        c.Parameters.Add(new NpgsqlParameter { Value = RowOverhead });
        return Convert.ToInt64(await c.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    // A size another instance committed (PostgreSqlRelayListener): its rows are visible, the notification came on commit.
    internal void Observe(long count) => Advance(count);

    private void Advance(long count)
    {
        var seen = Interlocked.Read(ref _count);
        while (count > seen)
        {
            var was = Interlocked.CompareExchange(ref _count, count, seen);
            if (was == seen) return;
            seen = was;
        }
    }

    // Every call: a pooled connection, and what Npgsql throws translated into the typed errors (PostgreSqlErrors).
    private async Task<T> RunAsync<T>(string doing, Func<NpgsqlConnection, Task<T>> body, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await body(connection).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && PostgreSqlErrors.Translates(e))
        {
            throw PostgreSqlErrors.Translate(e, _name, doing);
        }
    }

    // Typed reads: PostgreSQL enforces the column types, so what can be wrong is a value the schema allows but Ledger
    // does not (a short hash, a malformed author, bytes that do not hash to their chain hash, a missing position).
    private async Task<List<StoredOp>> ReadOpsAsync(NpgsqlCommand c, long? contiguousFrom, CancellationToken cancellationToken)
    {
        await using var r = await c.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadRowsAsync(r, contiguousFrom, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<StoredOp>> ReadRowsAsync(NpgsqlDataReader r, long? contiguousFrom, CancellationToken cancellationToken)
    {
        var list = new List<StoredOp>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var position = r.GetInt64(0);
            string Where(string column) => string.Create(CultureInfo.InvariantCulture, $"table 'ledger_relay_log' row {position} column '{column}'");
            if (contiguousFrom is { } from && position != from + list.Count)
            {
                throw Error.StoreDamaged(_name, string.Create(CultureInfo.InvariantCulture, $"table 'ledger_relay_log' position {from + list.Count}"),
                    string.Create(CultureInfo.InvariantCulture, $"it is missing: the next row is at {position}"));
            }

            var authorText = r.GetString(1);
            if (!AuthorId.TryCreate(authorText, out var author)) throw Error.StoreDamaged(_name, Where("author"), $"it holds '{authorText}', not an author id");
            var hash = r.GetFieldValue<byte[]>(3);
            if (hash.Length != Hash32.Length) throw Error.StoreDamaged(_name, Where("hash"), string.Create(CultureInfo.InvariantCulture, $"it holds {hash.Length} bytes, not {Hash32.Length}"));
            var bytes = r.GetFieldValue<byte[]>(4);
            var op = new StoredOp(position, author, (ulong)r.GetInt64(2), new Hash32(hash), bytes, r.GetBoolean(5));
            // A flipped byte is refused here instead of being served or hashed into a signed checkpoint.
            if (Hash32.Sha256(bytes) != op.Hash) throw Error.StoreDamaged(_name, string.Create(CultureInfo.InvariantCulture, $"table 'ledger_relay_log' row {position}"), "its bytes do not hash to the chain hash stored with them");
            list.Add(op);
        }

        return list;
    }
}
