using System.Globalization;
using Ledger.Kernel;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

// The Merkle tree of the relay's order, kept in the file as C2SP tlog-tiles (MerkleTiles, shared with the PostgreSQL
// store) and extended in the transaction that stores each batch, so a relay over this store holds no tree in memory and
// starts without reading the log (IRelayTreeStore). What it keeps in memory is bounded whatever the size of the log:
// the right edge (TileEdge: at most 8 partial tiles and their compact ranges, about 66 KiB), up to CachedTiles full
// tiles already checked (8 KiB each, 512 KiB) and up to CachedNodes subtree hashes computed from them (about 300 KiB). Everything read from the file is checked against the recorded head
// (tree_head: size and root) before it is used: the edge when it is loaded, a full tile against the hash its parent
// holds for it, up to the edge. A damaged tile or head is a StoreDamagedException, never a root the relay signs.
public sealed partial class SqliteRelayStore : ILeafHashedAppendStore
{
    /// <summary>Full tiles kept in memory once checked (they never change): proofs near the tip and tiles served again
    /// read no row. 64 × 8 KiB.</summary>
    internal const int CachedTiles = 64;

    /// <summary>Hashes of complete subtrees of at least 4 leaves kept once computed (they never change either): 4,096
    /// of them, about 300 KiB with the dictionary's and queue's entries.</summary>
    internal const int CachedNodes = 4096;

    // Schema version 5. The tiles: (level, idx) holds up to 256 hashes of 32 bytes, concatenated. The level-0 partial
    // tile (the leaf hashes of the last size mod 256 ops) is not stored: it would be rewritten by every batch, up to
    // 8 KiB each, and the log holds those ops' bytes, so it is hashed from them when the edge is loaded. Every other
    // tile is stored: full ones once, partial ones of the higher levels when they change (once per 256 ops at most).
    // The head: the size and root of the tree, in the batch's transaction, checked against the log's count at load.
    // x'e3b0…' is the root of the empty tree (SHA-256 of nothing, MerkleTree.EmptyRoot).
    private const string TreeTables = """
        CREATE TABLE tree_tiles (
          level INTEGER NOT NULL,
          idx INTEGER NOT NULL,
          hashes BLOB NOT NULL,
          PRIMARY KEY (level, idx));
        CREATE TABLE tree_head (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          size INTEGER NOT NULL,
          root BLOB NOT NULL);
        INSERT INTO tree_head (id, size, root) VALUES (1, 0, x'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
        """;

    // Null until the tree is first used after opening (and after a batch that failed, which may have extended it).
    private TileEdge? _edge;
    private Hash32 _root;
    private readonly Dictionary<TileKey, Hash32[]> _checkedTiles = [];
    private readonly Queue<TileKey> _checkedOrder = new();
    private readonly Dictionary<(int Level, long Index), Hash32> _nodes = [];
    private readonly Queue<(int Level, long Index)> _nodeOrder = new();
    private SqliteHotStatement? _writeTile;
    private SqliteHotStatement? _writeHead;
    private long _tilesRead;

    /// <summary>Tile rows read from the file since the store opened (tests check that reads stay O(log n)).</summary>
    internal long TilesRead => Interlocked.Read(ref _tilesRead);

    /// <summary>Full tiles held in memory now (at most <see cref="CachedTiles"/>).</summary>
    internal int CachedTileCount
    {
        get
        {
            lock (_gate) return _checkedTiles.Count;
        }
    }

    /// <summary>Subtree hashes held in memory now (at most <see cref="CachedNodes"/>).</summary>
    internal int CachedNodeCount
    {
        get
        {
            lock (_gate) return _nodes.Count;
        }
    }

    /// <inheritdoc />
    public Task<Hash32> GetRootAsync(long size, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            // The root of the whole tree is the head's: no hashing.
            if (size == Edge().Size) return Task.FromResult(_root);
        }

        return MerkleTileQueries.RootAsync(Compute, size);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) =>
        MerkleTileQueries.InclusionProofAsync(Compute, index, size);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) =>
        MerkleTileQueries.ConsistencyProofAsync(Compute, size1, size2);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetTreeHashesAsync(int level, long from, int count, CancellationToken cancellationToken = default) =>
        MerkleTileQueries.HashesAsync(Compute, level, from, count);

    // The relay's path (ILeafHashedAppendStore): the leaves it hashed before its gate.
    Task ILeafHashedAppendStore.AppendAsync(IReadOnlyList<StoredOp> ops, IReadOnlyList<Hash32> leaves, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentNullException.ThrowIfNull(leaves);
        if (leaves.Count != ops.Count) throw Error.Argument("one leaf hash per op.", nameof(leaves));
        return Append(ops, leaves, cancellationToken);
    }

    // Under the lock: the tiles the computation reads, from the edge, the checked tiles in memory or the file (checked
    // against their parents up to the edge before anything is computed over them).
    private Task Compute(Action<long> check, Action<MerkleTiles.NodeSource> compute)
    {
        lock (_gate)
        {
            var edge = Edge();
            var size = edge.Size;
            check(size);
            var read = new Dictionary<TileKey, Hash32[]>();
            IReadOnlyList<Hash32>? Tile(TileKey key) =>
                MerkleTiles.EdgeWidth(size, key.Level) > 0 && key.Index == MerkleTiles.EdgeIndex(size, key.Level) ? edge.Partial(key.Level)
                : _checkedTiles.TryGetValue(key, out var held) ? held
                : read.GetValueOrDefault(key);

            // The tiles the computation needs: those of the nodes it asks for that are not kept already (a dry run: the
            // shape of a root or proof does not depend on the hashes), and the tiles that vouch for them.
            var asked = new HashSet<TileKey>();
            compute((level, index) =>
            {
                if (_nodes.TryGetValue((level, index), out var kept)) return kept;
                asked.Add(MerkleTiles.TileOf(level, index));
                return default;
            });
            foreach (var key in MerkleTiles.WithWitnesses(asked, size))
            {
                if (Tile(key) is null) read[key] = ReadTile(key) ?? throw Damaged("table 'tree_tiles'", string.Create(CultureInfo.InvariantCulture, $"{key} is missing (the tree has {size} leaves)"));
            }

            if (MerkleTiles.VerifyTiles(size, read.Keys, Tile) is { } problem) throw Damaged("table 'tree_tiles'", problem);
            var tiles = MerkleTiles.Nodes(key => Tile(key)!);
            var computed = new List<((int, long) Node, Hash32 Hash)>();
            compute((level, index) =>
            {
                if (_nodes.TryGetValue((level, index), out var kept)) return kept;
                var hash = tiles(level, index);
                if (level % MerkleTiles.Height >= 2) computed.Add(((level, index), hash));
                return hash;
            });

            // After the computation: keeping a tile or a node may drop another that it read from the kept ones.
            foreach (var (key, hashes) in read) Keep(key, hashes);
            foreach (var (node, hash) in computed) KeepNode(node, hash);
        }

        return Task.CompletedTask;
    }

    // The hash of a complete subtree computed from checked tiles (it never changes): kept, the oldest dropped past the
    // bound. Consecutive checkpoints ask for nearly the same large subtrees (the consistency proof from the last signed
    // head); each costs up to 127 hashes of a tile to compute again.
    private void KeepNode((int Level, long Index) node, Hash32 hash)
    {
        if (!_nodes.TryAdd(node, hash)) return;
        _nodeOrder.Enqueue(node);
        while (_nodes.Count > CachedNodes) _nodes.Remove(_nodeOrder.Dequeue());
    }

    // A full tile, checked: kept, the oldest dropped past the bound.
    private void Keep(TileKey key, Hash32[] hashes)
    {
        if (hashes.Length != MerkleTiles.Width || !_checkedTiles.TryAdd(key, hashes)) return;
        _checkedOrder.Enqueue(key);
        while (_checkedTiles.Count > CachedTiles) _checkedTiles.Remove(_checkedOrder.Dequeue());
    }

    // The edge, loaded on first use: the head, the stored edge tiles of levels 1 and up, the level-0 edge hashed from the
    // log's last ops; checked against the head's root and the log's count.
    private TileEdge Edge()
    {
        if (_edge is { } loaded) return loaded;
        using var c = _db.CreateCommand();
        c.CommandText = "SELECT size, root FROM tree_head WHERE id = 1;";
        long size;
        Hash32 root;
        using (var r = c.ExecuteReader())
        {
            if (!r.Read()) throw Damaged("table 'tree_head'", "its row is gone");
            var row = new SqliteRow(r, Name, "tree_head", 1);
            size = row.Integer(0, "size", 0);
            root = new Hash32(row.Blob(1, "root", Hash32.Length));
        }

        if (size != _count)
        {
            throw Damaged("table 'tree_head' column 'size'", string.Create(CultureInfo.InvariantCulture, $"it records a tree of {size} ops, but the log holds {_count}"));
        }

        var tiles = new Dictionary<TileKey, Hash32[]>();
        foreach (var key in MerkleTiles.Edge(size))
        {
            if (key.Level > 0)
            {
                if (ReadTile(key) is { } hashes) tiles[key] = hashes;
                continue;
            }

            var first = key.Index << MerkleTiles.Height;
            using var ops = _db.CreateCommand();
            ops.CommandText = "SELECT position, author, seq, hash, bytes, key_event FROM log WHERE position >= $p ORDER BY position LIMIT $m;";
            ops.Parameters.AddWithValue("$p", first);
            ops.Parameters.AddWithValue("$m", size - first);
            var held = ReadAll(ops);
            for (var i = 0; i < held.Count; i++)
            {
                if (held[i].Position != first + i) throw Damaged(string.Create(CultureInfo.InvariantCulture, $"table 'log' position {first + i}"), "it is missing");
            }

            tiles[key] = held.Select(o => MerkleTree.LeafHash(o.Bytes.Span)).ToArray();
        }

        if (MerkleTiles.Verify(size, root, MerkleTiles.Edge(size), tiles) is { } problem) throw Damaged("table 'tree_tiles'", problem);
        _root = root;
        return _edge = new TileEdge(size, tiles);
    }

    // At open, before the high-water mark is consulted or raised: the tree's tables are there, and the log holds exactly
    // positions 0 to count - 1 (positions are unique integers, so its least and greatest say so: two lookups of the
    // primary key, whatever the size of the log). A row lost from the middle — with a row past the end, the count, the
    // head and the mark would all agree — is named here, instead of being served as a gap, mistaken for a rollback or
    // met as SQLite's constraint error by the next append.
    private void CheckShape()
    {
        foreach (var table in (ReadOnlySpan<string>)["tree_head", "tree_tiles"])
        {
            if (SqliteFiles.Scalar(_db, $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}';") == 0)
            {
                throw Damaged($"table '{table}'", "it is missing: the file records schema 5, which keeps the relay's Merkle tree there");
            }
        }

        if (_count == 0) return;
        using var c = _db.CreateCommand();
        c.CommandText = "SELECT MIN(position), MAX(position) FROM log;";
        long least, greatest;
        using (var r = c.ExecuteReader())
        {
            r.Read();
            least = r.GetInt64(0);
            greatest = r.GetInt64(1);
        }

        if (least == 0 && greatest == _count - 1) return;
        // Damage: the first position missing (a scan, only now).
        c.CommandText = """
            SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM log WHERE position = 0) THEN 0
              ELSE (SELECT MIN(a.position) + 1 FROM log a WHERE a.position >= 0 AND NOT EXISTS (SELECT 1 FROM log b WHERE b.position = a.position + 1)) END;
            """;
        var missing = Convert.ToInt64(c.ExecuteScalar(), CultureInfo.InvariantCulture);
        throw Damaged(string.Create(CultureInfo.InvariantCulture, $"table 'log' position {missing}"),
            string.Create(CultureInfo.InvariantCulture, $"it is missing: the log holds {_count} ops at positions {least} to {greatest}, not 0 to {_count - 1}"));
    }

    private Hash32[]? ReadTile(TileKey key)
    {
        using var c = _db.CreateCommand();
        c.CommandText = "SELECT hashes FROM tree_tiles WHERE level = $l AND idx = $i;";
        c.Parameters.AddWithValue("$l", key.Level);
        c.Parameters.AddWithValue("$i", key.Index);
        using var r = c.ExecuteReader();
        if (!r.Read()) return null;
        Interlocked.Increment(ref _tilesRead);
        // Named by its key (level and index): a row number alone would not say which level.
        if (r.GetValue(0) is not byte[] bytes) throw Damaged(string.Create(CultureInfo.InvariantCulture, $"table 'tree_tiles' {key} column 'hashes'"), "it does not hold bytes");
        return Split(bytes, Name, key);
    }

    private static Hash32[] Split(byte[] bytes, string store, TileKey key)
    {
        if (bytes.Length % Hash32.Length != 0 || bytes.Length == 0 || bytes.Length > MerkleTiles.Width * Hash32.Length)
        {
            throw Error.StoreDamaged(store, string.Create(CultureInfo.InvariantCulture, $"table 'tree_tiles' {key} column 'hashes'"),
                string.Create(CultureInfo.InvariantCulture, $"it holds {bytes.Length} bytes, not 1 to 256 hashes of {Hash32.Length}"));
        }

        var hashes = new Hash32[bytes.Length / Hash32.Length];
        for (var i = 0; i < hashes.Length; i++) hashes[i] = new Hash32(bytes.AsSpan(i * Hash32.Length, Hash32.Length));
        return hashes;
    }

    // Inside the batch's transaction, after its ops: the leaves appended to the edge, the tiles that changed written (all
    // but the level-0 partial one, see TreeTables) and the new head. The caller forgets the edge if anything fails.
    private Hash32 ExtendTree(TileEdge edge, IReadOnlyList<StoredOp> ops, IReadOnlyList<Hash32>? leaves)
    {
        for (var i = 0; i < ops.Count; i++) edge.Append(leaves?[i] ?? MerkleTree.LeafHash(ops[i].Bytes.Span));
        var tiles = edge.Take(partial: true);
        if (tiles.Count > 0)
        {
            var write = _writeTile ??= new SqliteHotStatement(_db, "INSERT OR REPLACE INTO tree_tiles (level, idx, hashes) VALUES (?1, ?2, ?3);");
            foreach (var (key, hashes) in tiles)
            {
                if (key.Level == 0 && hashes.Length < MerkleTiles.Width) continue;
                WriteTile(write, key, hashes);
            }
        }

        var head = _writeHead ??= new SqliteHotStatement(_db, "UPDATE tree_head SET size = ?1, root = ?2 WHERE id = 1;");
        head.Bind(1, edge.Size);
        var root = edge.Root();
        Span<byte> bytes = stackalloc byte[Hash32.Length];
        root.CopyTo(bytes);
        head.Bind(2, bytes);
        head.Run();
        return root;
    }

    private static void WriteTile(SqliteHotStatement write, TileKey key, Hash32[] hashes)
    {
        var bytes = new byte[hashes.Length * Hash32.Length];
        for (var i = 0; i < hashes.Length; i++) hashes[i].CopyTo(bytes.AsSpan(i * Hash32.Length));
        write.Bind(1, key.Level);
        write.Bind(2, key.Index);
        write.Bind(3, bytes);
        write.Run();
    }

    /// <summary>Schema step 4 → 5's code: the tiles and head of the log the file holds, built inside the upgrade
    /// transaction. Reads the log once in position order, 4,096 ops at a time (each op's bytes checked against its chain
    /// hash: a tree is never built over damaged rows), keeping only the right edge in memory; full tiles are written as
    /// they complete.</summary>
    private static void BuildTree(SqliteConnection db, SqliteTransaction transaction, string path)
    {
        var store = $"the relay store {path}";
        var edge = new TileEdge(0, new Dictionary<TileKey, Hash32[]>());
        using var write = new SqliteHotStatement(db, "INSERT OR REPLACE INTO tree_tiles (level, idx, hashes) VALUES (?1, ?2, ?3);");
        using var read = db.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT position, hash, bytes FROM log WHERE position >= $p ORDER BY position LIMIT 4096;";
        var from = read.Parameters.Add("$p", SqliteType.Integer);
        while (true)
        {
            from.Value = edge.Size;
            var before = edge.Size;
            using (var r = read.ExecuteReader())
            {
                while (r.Read())
                {
                    var row = new SqliteRow(r, store, "log", edge.Size);
                    var position = row.Integer(0, "position");
                    if (position != edge.Size) throw Error.StoreDamaged(store, string.Create(CultureInfo.InvariantCulture, $"table 'log' position {edge.Size}"), "it is missing");
                    var bytes = row.Blob(2, "bytes");
                    if (Hash32.Sha256(bytes) != new Hash32(row.Blob(1, "hash", Hash32.Length)))
                    {
                        throw Error.StoreDamaged(store, string.Create(CultureInfo.InvariantCulture, $"table 'log' row {position}"), "its bytes do not hash to the chain hash stored with them");
                    }

                    edge.Append(MerkleTree.LeafHash(bytes));
                }
            }

            if (edge.Size == before) break;
            foreach (var (key, hashes) in edge.Take(partial: false)) WriteTile(write, key, hashes);
        }

        foreach (var (key, hashes) in edge.Take(partial: true))
        {
            if (key.Level > 0 || hashes.Length == MerkleTiles.Width) WriteTile(write, key, hashes);
        }

        using var head = db.CreateCommand();
        head.Transaction = transaction;
        head.CommandText = "UPDATE tree_head SET size = $s, root = $r WHERE id = 1;";
        head.Parameters.AddWithValue("$s", edge.Size);
        head.Parameters.AddWithValue("$r", edge.Root().ToArray());
        head.ExecuteNonQuery();
    }

    private string Name => $"the relay store {_path}";

    private StoreDamagedException Damaged(string where, string detail) => Error.StoreDamaged(Name, where, detail);
}
