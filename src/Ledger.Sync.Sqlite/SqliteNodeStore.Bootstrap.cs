using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

// The base of a device bootstrapped from a relay checkpoint (INodeBootstrapStore), in the table schema version 3 added:
// empty for a store that was never bootstrapped.
public sealed partial class SqliteNodeStore
{
    /// <inheritdoc />
    public Task SaveBootstrapBaseAsync(ReadOnlyMemory<byte> bootstrapBase, CancellationToken cancellationToken = default)
    {
        WaitIntact();
        lock (_gate)
        {
            ThrowIfClosed();
            using var c = _db.CreateCommand();
            c.CommandText = """
                INSERT OR REPLACE INTO bootstrap_base (id, bytes) VALUES (1, $b);
                """;
            c.Parameters.AddWithValue("$b", bootstrapBase.ToArray());
            try
            {
                c.ExecuteNonQuery();
            }
            catch (SqliteException e) when (SqliteFiles.IsFull(e))
            {
                throw Error.StorageFull($"the node store {_path}", SqliteFiles.Size(_db), CapBytes ?? 0, bootstrapBase.Length, e);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<byte[]?> LoadBootstrapBaseAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT bytes FROM bootstrap_base WHERE id = 1;";
            var value = Read("table 'bootstrap_base'", c.ExecuteScalar);
            if (value is null or DBNull) return Task.FromResult<byte[]?>(null);
            if (value is not byte[] bytes) throw Error.StoreDamaged($"the node store {_path}", "bootstrap_base", "its bytes are not a blob");
            return Task.FromResult<byte[]?>(bytes);
        }
    }
}
