using System.Globalization;
using Ledger.Kernel;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Sync;

/// <summary>The Merkle tree of one ledger's order in PostgreSQL (<c>ledger_relay_tiles</c>, C2SP tlog-tiles) and its
/// head (<c>ledger_relay_ledgers.tree_root</c>: the root at <c>next_position</c>). The ingest transaction reads the
/// right edge with the counter row it locks, checks it against the head, extends it and writes the changed tiles and
/// the new head before it commits; a batch that fails leaves tiles and head as they were. Reads fetch only the tiles a
/// root or proof needs, plus the tiles that vouch for them, and check them all against the head before anything is
/// returned: a damaged or missing tile is a <see cref="StoreDamagedException"/>, never a root a relay signs.</summary>
internal sealed class PostgreSqlMerkleTree(string ledger, string name)
{
    private const int HashBytes = Hash32.Length;

    // The counter row with its right edge, the partial tile of every level, in one statement (one snapshot: they agree).
    // Tile level 7 would need a shift by 64; a log of 2^56 ops is not one PostgreSQL holds.
    private const string HeadWithEdge = """
        SELECT l.next_position, l.log_bytes, l.tree_root, t.level, t.idx, t.hashes
        FROM ledger_relay_ledgers l
        LEFT JOIN ledger_relay_tiles t ON t.ledger = l.ledger AND t.level < 7 AND t.idx = l.next_position >> (8 * (t.level + 1))
        WHERE l.ledger = $1;
        """;

    private long _tilesRead;

    /// <summary>The ingest transaction's first read, one round trip: lock the counter row, then read the right edge in
    /// a second statement. Not one statement with the lock: a statement that waited for the lock rechecks only the
    /// locked row's new version, with the tiles its snapshot saw before the wait — the edge another instance just
    /// extended would be missed (a concurrent test caught exactly that). In READ COMMITTED the second statement takes
    /// a new snapshot, after the lock is held, so it sees every tile committed with the counter it locked.</summary>
    public NpgsqlBatch LockHeadBatch(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var batch = new NpgsqlBatch(connection, transaction);
        var lockRow = new NpgsqlBatchCommand("SELECT next_position, log_bytes, tree_root FROM ledger_relay_ledgers WHERE ledger = $1 FOR UPDATE;");
        lockRow.Parameters.Add(new NpgsqlParameter { Value = ledger });
        batch.BatchCommands.Add(lockRow);
        var edge = new NpgsqlBatchCommand("""
            SELECT t.level, t.idx, t.hashes FROM ledger_relay_ledgers l
            JOIN ledger_relay_tiles t ON t.ledger = l.ledger AND t.level < 7 AND t.idx = l.next_position >> (8 * (t.level + 1))
            WHERE l.ledger = $1;
            """);
        edge.Parameters.Add(new NpgsqlParameter { Value = ledger });
        batch.BatchCommands.Add(edge);
        return batch;
    }

    /// <summary>Tile rows read since the store opened (tests check reads stay O(log n)).</summary>
    public long TilesRead => Interlocked.Read(ref _tilesRead);

    /// <summary>The head and right edge read with the counter row.</summary>
    public sealed record Head(long Size, long LogBytes, Hash32 Root, Dictionary<TileKey, Hash32[]> Edge);

    /// <summary>Reads what <see cref="LockHeadBatch"/> returned; null when the ledger has no counter row.</summary>
    public async Task<Head?> ReadLockedHeadAsync(NpgsqlDataReader r, CancellationToken cancellationToken)
    {
        if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        var head = HeadOf(r);
        await r.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) AddTile(head.Edge, r.GetInt32(0), r.GetInt64(1), r.GetFieldValue<byte[]>(2));
        return head;
    }

    // The rows of HeadWithEdge: the head on each, and a tile on each but when the tree has no partial tile.
    private async Task<Head?> ReadHeadWithEdgeAsync(NpgsqlDataReader r, CancellationToken cancellationToken)
    {
        Head? head = null;
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            head ??= HeadOf(r);
            if (!r.IsDBNull(3)) AddTile(head.Edge, r.GetInt32(3), r.GetInt64(4), r.GetFieldValue<byte[]>(5));
        }

        return head;
    }

    private Head HeadOf(NpgsqlDataReader r)
    {
        var root = r.GetFieldValue<byte[]>(2);
        if (root.Length != HashBytes) throw Damaged("table 'ledger_relay_ledgers' column 'tree_root'", string.Create(CultureInfo.InvariantCulture, $"it holds {root.Length} bytes, not {HashBytes}"));
        return new Head(r.GetInt64(0), r.GetInt64(1), new Hash32(root), []);
    }

    /// <summary>Checks the right edge against the head, appends the leaves and returns the tiles to write and the new
    /// root. Throws <see cref="StoreDamagedException"/> (the transaction then rolls back) when the edge is damaged: a
    /// tree is never extended over a damaged edge, which would bake the damage into tiles that never change again.</summary>
    public (Dictionary<TileKey, Hash32[]> Tiles, Hash32 Root) Extend(Head head, IReadOnlyList<Hash32> leaves)
    {
        CheckAgainstHead(head.Size, head.Root, MerkleTiles.Edge(head.Size), head.Edge);
        var edge = new TileEdge(head.Size, head.Edge);
        foreach (var leaf in leaves) edge.Append(leaf);
        return (edge.Take(partial: true), edge.Root());
    }

    /// <summary>A command that writes tiles (new ones inserted, partial ones replaced), for the ingest batch.</summary>
    public NpgsqlBatchCommand WriteCommand(IReadOnlyDictionary<TileKey, Hash32[]> tiles)
    {
        var command = new NpgsqlBatchCommand(UpsertSql);
        AddTileParameters(command.Parameters, ledger, tiles);
        return command;
    }

    /// <summary>MTH(D[0:size]) from the database.</summary>
    public Task<Hash32> RootAsync(NpgsqlConnection connection, long size, CancellationToken cancellationToken) =>
        MerkleTileQueries.RootAsync(Over(connection, cancellationToken), size);

    /// <summary>The RFC 9162 inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/>.</summary>
    public Task<IReadOnlyList<Hash32>> InclusionProofAsync(NpgsqlConnection connection, long index, long size, CancellationToken cancellationToken) =>
        MerkleTileQueries.InclusionProofAsync(Over(connection, cancellationToken), index, size);

    /// <summary>The RFC 9162 consistency proof from <paramref name="size1"/> to <paramref name="size2"/>.</summary>
    public Task<IReadOnlyList<Hash32>> ConsistencyProofAsync(NpgsqlConnection connection, long size1, long size2, CancellationToken cancellationToken) =>
        MerkleTileQueries.ConsistencyProofAsync(Over(connection, cancellationToken), size1, size2);

    /// <summary>Up to <paramref name="count"/> hashes of complete subtrees of 2^<paramref name="level"/> leaves from the
    /// <paramref name="from"/>-th on; fewer when the tree holds fewer.</summary>
    public Task<IReadOnlyList<Hash32>> HashesAsync(NpgsqlConnection connection, int level, long from, int count, CancellationToken cancellationToken) =>
        MerkleTileQueries.HashesAsync(Over(connection, cancellationToken), level, from, count);

    private MerkleTileQueries.Computation Over(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (check, compute) => ComputeAsync(connection, check, compute, cancellationToken);

    // Reads the head and right edge (one query), works out which tiles the computation needs, fetches those and the tiles
    // vouching for them (a second query, only when a tile off the edge is needed), checks them all against the head, then
    // runs the computation over them. The tiles off the edge are full at the head's size and never change, so the second
    // query needs no snapshot shared with the first.
    private async Task ComputeAsync(NpgsqlConnection connection, Action<long> check, Action<MerkleTiles.NodeSource> compute, CancellationToken cancellationToken)
    {
        Head head;
        await using (var c = new NpgsqlCommand(HeadWithEdge, connection))
        {
            c.Parameters.Add(new NpgsqlParameter { Value = ledger });
            await using var r = await c.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            head = await ReadHeadWithEdgeAsync(r, cancellationToken).ConfigureAwait(false) ?? throw Damaged("table 'ledger_relay_ledgers'", "the ledger's counter row is gone");
        }

        check(head.Size);
        var required = MerkleTiles.Required(head.Size, compute);
        var tiles = head.Edge;
        var off = required.Where(k => !tiles.ContainsKey(k)).ToArray();
        if (off.Length > 0)
        {
            await using var c = new NpgsqlCommand("""
                SELECT t.level, t.idx, t.hashes FROM ledger_relay_tiles t
                JOIN unnest($2::integer[], $3::bigint[]) AS k (level, idx) ON t.level = k.level AND t.idx = k.idx
                WHERE t.ledger = $1;
                """, connection);
            c.Parameters.Add(new NpgsqlParameter { Value = ledger });
            c.Parameters.Add(new NpgsqlParameter { Value = off.Select(k => k.Level).ToArray() });
            c.Parameters.Add(new NpgsqlParameter { Value = off.Select(k => k.Index).ToArray() });
            await using var r = await c.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) AddTile(tiles, r.GetInt32(0), r.GetInt64(1), r.GetFieldValue<byte[]>(2));
        }

        Interlocked.Add(ref _tilesRead, tiles.Count);
        CheckAgainstHead(head.Size, head.Root, required, tiles);
        compute(MerkleTiles.Nodes(k => tiles[k]));
    }

    private void CheckAgainstHead(long size, Hash32 root, IEnumerable<TileKey> required, Dictionary<TileKey, Hash32[]> tiles)
    {
        if (MerkleTiles.Verify(size, root, required, tiles) is { } problem) throw Damaged("table 'ledger_relay_tiles'", problem);
    }

    private void AddTile(Dictionary<TileKey, Hash32[]> tiles, int level, long index, byte[] bytes)
    {
        var key = new TileKey(level, index);
        if (bytes.Length % HashBytes != 0 || bytes.Length == 0 || bytes.Length > MerkleTiles.Width * HashBytes)
        {
            throw Damaged(string.Create(CultureInfo.InvariantCulture, $"table 'ledger_relay_tiles' {key} column 'hashes'"),
                string.Create(CultureInfo.InvariantCulture, $"it holds {bytes.Length} bytes, not 1 to 256 hashes of {HashBytes}"));
        }

        tiles[key] = Split(bytes);
    }

    private StoreDamagedException Damaged(string where, string detail) => Error.StoreDamaged(name, where, detail);

    private static Hash32[] Split(byte[] bytes)
    {
        var hashes = new Hash32[bytes.Length / HashBytes];
        for (var i = 0; i < hashes.Length; i++) hashes[i] = new Hash32(bytes.AsSpan(i * HashBytes, HashBytes));
        return hashes;
    }

    private static byte[] Join(Hash32[] hashes)
    {
        var bytes = new byte[hashes.Length * HashBytes];
        for (var i = 0; i < hashes.Length; i++) hashes[i].CopyTo(bytes.AsSpan(i * HashBytes));
        return bytes;
    }

    private const string UpsertSql = """
        INSERT INTO ledger_relay_tiles (ledger, level, idx, hashes)
        SELECT $1, u.level, u.idx, u.hashes FROM unnest($2::integer[], $3::bigint[], $4::bytea[]) AS u (level, idx, hashes)
        ON CONFLICT (ledger, level, idx) DO UPDATE SET hashes = excluded.hashes;
        """;

    private static void AddTileParameters(NpgsqlParameterCollection parameters, string ledger, IReadOnlyDictionary<TileKey, Hash32[]> tiles)
    {
        parameters.Add(new NpgsqlParameter { Value = ledger });
        parameters.Add(new NpgsqlParameter { Value = tiles.Keys.Select(k => k.Level).ToArray() });
        parameters.Add(new NpgsqlParameter { Value = tiles.Keys.Select(k => k.Index).ToArray() });
        parameters.Add(new NpgsqlParameter { Value = tiles.Values.Select(Join).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
    }

    /// <summary>Schema step 2's code: builds the tiles and head of every ledger's existing log, inside the upgrade
    /// transaction. Reads the log once in position order (each op's bytes checked against its chain hash: a tree is
    /// never built over damaged rows) and keeps only the right edge in memory; full tiles are written as they
    /// complete.</summary>
    public static async Task BuildAsync(NpgsqlConnection connection, string where, CancellationToken cancellationToken)
    {
        var ledgers = new List<(string Ledger, long Next)>();
        await using (var list = new NpgsqlCommand("SELECT ledger, next_position FROM ledger_relay_ledgers ORDER BY ledger;", connection))
        {
            await using var r = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) ledgers.Add((r.GetString(0), r.GetInt64(1)));
        }

        foreach (var (ledger, next) in ledgers)
        {
            var edge = new TileEdge(0, new Dictionary<TileKey, Hash32[]>());
            while (edge.Size < next)
            {
                await using (var read = new NpgsqlCommand("SELECT position, hash, bytes FROM ledger_relay_log WHERE ledger = $1 AND position >= $2 AND position < $3 ORDER BY position LIMIT 4096;", connection))
                {
                    read.Parameters.Add(new NpgsqlParameter { Value = ledger });
                    read.Parameters.Add(new NpgsqlParameter { Value = edge.Size });
                    read.Parameters.Add(new NpgsqlParameter { Value = next });
                    await using var r = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    var before = edge.Size;
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var position = r.GetInt64(0);
                        var bytes = r.GetFieldValue<byte[]>(2);
                        string Row() => string.Create(CultureInfo.InvariantCulture, $"table 'ledger_relay_log' ledger '{ledger}' row {position}");
                        if (position != edge.Size) throw Error.StoreDamaged(where, Row(), string.Create(CultureInfo.InvariantCulture, $"position {edge.Size} is missing"));
                        if (!Hash32.Sha256(bytes).ToArray().AsSpan().SequenceEqual(r.GetFieldValue<byte[]>(1))) throw Error.StoreDamaged(where, Row(), "its bytes do not hash to the chain hash stored with them");
                        edge.Append(MerkleTree.LeafHash(bytes));
                    }

                    if (edge.Size == before) throw Error.StoreDamaged(where, string.Create(CultureInfo.InvariantCulture, $"table 'ledger_relay_log' ledger '{ledger}'"), string.Create(CultureInfo.InvariantCulture, $"the counter says {next} ops, the log ends at {edge.Size}"));
                }

                await WriteAsync(connection, ledger, edge.Take(partial: edge.Size >= next), cancellationToken).ConfigureAwait(false);
            }

            await using var head = new NpgsqlCommand("UPDATE ledger_relay_ledgers SET tree_root = $2 WHERE ledger = $1;", connection);
            head.Parameters.Add(new NpgsqlParameter { Value = ledger });
            head.Parameters.Add(new NpgsqlParameter { Value = edge.Root().ToArray() });
            await head.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(NpgsqlConnection connection, string ledger, Dictionary<TileKey, Hash32[]> tiles, CancellationToken cancellationToken)
    {
        if (tiles.Count == 0) return;
        await using var write = new NpgsqlCommand(UpsertSql, connection);
        AddTileParameters(write.Parameters, ledger, tiles);
        await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
