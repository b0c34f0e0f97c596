using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

// Bootstrap checkpoints (docs/sync.md, "Bootstrap of a new device") live in a table of their own, created on first use,
// so the relay store's schema version (and the files of older versions) are untouched: a file that never saw a
// bootstrap checkpoint is byte for byte what it was.
public sealed partial class SqliteRelayStore
{
    private const string BootstrapTable = """
        CREATE TABLE IF NOT EXISTS bootstrap_checkpoints (
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
            c.CommandText = BootstrapTable + """
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
            try
            {
                using var r = c.ExecuteReader();
                while (r.Read())
                {
                    if (r.GetValue(0) is not byte[] envelope) throw Error.StoreDamaged($"the relay store {_path}", "bootstrap_checkpoints", "an envelope is not a blob");
                    held.Add(envelope);
                }
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 1 && e.Message.Contains("no such table", StringComparison.Ordinal))
            {
                // Never posted to: the table is created by the first post.
            }

            return Task.FromResult<IReadOnlyList<byte[]>>(held);
        }
    }
}
