using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

/// <summary>A node checkpoint store in a SQLite file of its own beside the node store (WAL, synchronous=FULL): one row,
/// the latest checkpoint. A damaged row is refused by the node on open (it replays its log instead).</summary>
public sealed class SqliteNodeCheckpointStore : INodeCheckpointStore, IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();
    private readonly Ledger.Sqlite.SqliteFileOwner _owner;

    /// <summary>The schema: version 1, one table; version 2 adds the node's open state (risk B2), so that an older
    /// Ledger refuses the file as newer instead of reading a checkpoint whose signature covers bytes it drops.</summary>
    internal static readonly SqliteSchema Schema = new("node checkpoint store", 2, "node_checkpoint", """
        CREATE TABLE node_checkpoint (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          ops INTEGER NOT NULL,
          checkpoint BLOB NOT NULL,
          signature BLOB NOT NULL,
          extras BLOB NULL);
        """, new Dictionary<int, string> { [1] = "ALTER TABLE node_checkpoint ADD COLUMN extras BLOB NULL;" });

    /// <summary>Opens (or creates) the file at <paramref name="path"/>.</summary>
    /// <exception cref="StoreSchemaException">The file was written by a newer Ledger, or is not a node checkpoint store.</exception>
    /// <exception cref="StoreUnavailableException">Another store (in this process or another) has the file open: a store
    /// owns its file until it is disposed or its process ends. Nothing was read or written.</exception>
    public SqliteNodeCheckpointStore(string path)
    {
        Path = path;
        _owner = SqliteFiles.Own(path, $"the node checkpoint store {path}");
        try
        {
            _db = Schema.Open(path, capBytes: null);
        }
        catch
        {
            _owner.Dispose();
            throw;
        }
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public Task SaveAsync(NodeCheckpointRecord checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "INSERT OR REPLACE INTO node_checkpoint (id, ops, checkpoint, signature, extras) VALUES (1, $o, $c, $s, $x);";
            c.Parameters.AddWithValue("$x", checkpoint.Extras.IsEmpty ? DBNull.Value : checkpoint.Extras.ToArray());
            c.Parameters.AddWithValue("$o", checkpoint.Ops);
            c.Parameters.AddWithValue("$c", checkpoint.Checkpoint.ToArray());
            c.Parameters.AddWithValue("$s", checkpoint.Signature.ToArray());
            c.ExecuteNonQuery();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="StoreDamagedException">The row holds a column of the wrong type.</exception>
    public Task<NodeCheckpointRecord?> LatestAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT ops, checkpoint, signature, extras FROM node_checkpoint WHERE id = 1;";
            using var r = c.ExecuteReader();
            if (!r.Read()) return Task.FromResult<NodeCheckpointRecord?>(null);
            var row = new SqliteRow(r, $"the node checkpoint store {Path}", "node_checkpoint", 1);
            return Task.FromResult<NodeCheckpointRecord?>(new NodeCheckpointRecord(row.Integer(0, "ops", 0), row.Blob(1, "checkpoint"), row.Blob(2, "signature"))
            {
                Extras = r.IsDBNull(3) ? ReadOnlyMemory<byte>.Empty : row.Blob(3, "extras"),
            });
        }
    }

    /// <summary>Changes the stored checkpoint bytes (tests: a damaged file).</summary>
    internal void Overwrite(byte[] checkpoint)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "UPDATE node_checkpoint SET checkpoint = $c WHERE id = 1;";
            c.Parameters.AddWithValue("$c", checkpoint);
            c.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _db.Dispose();
            _owner.Dispose();
        }
    }
}
