using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

// Bootstrap checkpoints (docs/sync.md, "Bootstrap of a new device"): the latest per member, in the table schema
// version 4 added (an older Ledger refuses the file as newer rather than ignoring what it holds).
public sealed partial class SqliteRelayStore
{
    private const string BootstrapTable = """
        CREATE TABLE bootstrap_checkpoints (
          author TEXT PRIMARY KEY,
          prefix INTEGER NOT NULL,
          envelope BLOB NOT NULL);
        """;

    /// <inheritdoc />
    public Task SaveBootstrapCheckpointAsync(string author, long prefix, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(author);
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            // The latest per author: an older prefix posted late does not replace a newer one.
            c.CommandText = """
                INSERT INTO bootstrap_checkpoints (author, prefix, envelope) VALUES ($a, $p, $e)
                ON CONFLICT (author) DO UPDATE SET prefix = excluded.prefix, envelope = excluded.envelope
                WHERE excluded.prefix >= bootstrap_checkpoints.prefix;
                """;
            c.Parameters.AddWithValue("$a", author);
            c.Parameters.AddWithValue("$p", prefix);
            c.Parameters.AddWithValue("$e", envelope.ToArray());
            try
            {
                c.ExecuteNonQuery();
            }
            catch (SqliteException e) when (SqliteFiles.IsFull(e))
            {
                throw Error.StorageFull($"the relay store {_path}", SqliteFiles.Size(_db), CapBytes ?? 0, envelope.Length, e);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadBootstrapCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            using var c = _db.CreateCommand();
            c.CommandText = "SELECT envelope FROM bootstrap_checkpoints ORDER BY author;";
            var held = new List<byte[]>();
            using var r = c.ExecuteReader();
            while (r.Read())
            {
                if (r.GetValue(0) is not byte[] envelope) throw Error.StoreDamaged($"the relay store {_path}", "bootstrap_checkpoints", "an envelope is not a blob");
                held.Add(envelope);
            }

            return Task.FromResult<IReadOnlyList<byte[]>>(held);
        }
    }
}
