using Npgsql;

namespace Ledger.Sync;

// Bootstrap checkpoints (docs/sync.md, "Bootstrap of a new device"): the latest per (ledger, author), in the table schema
// version 4 added (PostgreSqlSchema.Relay; made by the versioned upgrade, so instances never race to make it).
public sealed partial class PostgreSqlRelayStore
{
    /// <summary>The schema step from version 3 to 4.</summary>
    internal const string BootstrapTable = """
        CREATE TABLE ledger_relay_bootstrap (
          ledger text NOT NULL REFERENCES ledger_relay_ledgers (ledger),
          author text NOT NULL,
          prefix bigint NOT NULL,
          envelope bytea NOT NULL,
          PRIMARY KEY (ledger, author));
        """;

    /// <inheritdoc />
    public Task SaveBootstrapCheckpointAsync(string author, long prefix, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(author);
        return RunAsync("keeping a bootstrap checkpoint", async connection =>
        {
            await CheckCapAsync(connection, envelope.Length, cancellationToken).ConfigureAwait(false);
            // An older prefix posted late does not replace a newer one.
            await using var c = new NpgsqlCommand("""
                INSERT INTO ledger_relay_bootstrap (ledger, author, prefix, envelope) VALUES ($1, $2, $3, $4)
                ON CONFLICT (ledger, author) DO UPDATE SET prefix = excluded.prefix, envelope = excluded.envelope
                WHERE excluded.prefix >= ledger_relay_bootstrap.prefix;
                """, connection);
            c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
            c.Parameters.Add(new NpgsqlParameter { Value = author });
            c.Parameters.Add(new NpgsqlParameter { Value = prefix });
            c.Parameters.Add(new NpgsqlParameter { Value = envelope.ToArray() });
            await c.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadBootstrapCheckpointsAsync(CancellationToken cancellationToken = default) => RunAsync("reading bootstrap checkpoints", async connection =>
    {
        await using var c = new NpgsqlCommand("SELECT envelope FROM ledger_relay_bootstrap WHERE ledger = $1 ORDER BY author COLLATE \"C\";", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = _ledger });
        await using var r = await c.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var held = new List<byte[]>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) held.Add(r.GetFieldValue<byte[]>(0));
        return (IReadOnlyList<byte[]>)held;
    }, cancellationToken);
}
