using System.Globalization;
using Ledger.Kernel;
using Npgsql;

namespace Ledger.Sync;

// The latest beacon per author (IBeaconStore), kept in ledger_relay_beacons (PostgreSqlBeaconSchema): one row per
// (ledger, author), replaced only by a beacon sent later, in one statement (instances racing on one author cannot
// let an older beacon win).
public sealed partial class PostgreSqlRelayStore
{
    /// <inheritdoc />
    public Task<bool> KeepBeaconAsync(BeaconRecord beacon, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(beacon);
        return RunAsync("keeping a beacon", async connection =>
        {
            await CheckCapAsync(connection, beacon.Bytes.Length, cancellationToken).ConfigureAwait(false);
            await using var c = new NpgsqlCommand("""
                INSERT INTO ledger_relay_beacons (ledger, author, sent_at, received_at, bytes) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (ledger, author) DO UPDATE SET sent_at = excluded.sent_at, received_at = excluded.received_at, bytes = excluded.bytes
                WHERE excluded.sent_at > ledger_relay_beacons.sent_at;
                """, connection);
            c.Parameters.Add(new NpgsqlParameter { Value = Ledger });
            c.Parameters.Add(new NpgsqlParameter { Value = beacon.Author.Value });
            c.Parameters.Add(new NpgsqlParameter { Value = beacon.SentAtUnixMs });
            c.Parameters.Add(new NpgsqlParameter { Value = beacon.ReceivedAt.ToUnixTimeMilliseconds() });
            c.Parameters.Add(new NpgsqlParameter { Value = beacon.Bytes.ToArray() });
            return await c.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<BeaconRecord>> ReadBeaconsAsync(CancellationToken cancellationToken = default) => RunAsync("reading beacons", async connection =>
    {
        await using var c = new NpgsqlCommand("SELECT author, sent_at, received_at, bytes FROM ledger_relay_beacons WHERE ledger = $1;", connection);
        c.Parameters.Add(new NpgsqlParameter { Value = Ledger });
        await using var r = await c.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<BeaconRecord>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var authorText = r.GetString(0);
            string Where(string column) => $"table 'ledger_relay_beacons' author '{authorText}' column '{column}'";
            if (!AuthorId.TryCreate(authorText, out var author)) throw Error.StoreDamaged(_name, Where("author"), $"it holds '{authorText}', not an author id");
            var receivedAt = r.GetInt64(2);
            if (receivedAt < 0 || receivedAt > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                throw Error.StoreDamaged(_name, Where("received_at"), string.Create(CultureInfo.InvariantCulture, $"it holds {receivedAt}, not a time"));
            }

            list.Add(new BeaconRecord(author, r.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(receivedAt), r.GetFieldValue<byte[]>(3)));
        }

        // Ordinal by author, as the contract says (a database collation may order text otherwise).
        return (IReadOnlyList<BeaconRecord>)list.OrderBy(b => b.Author.Value, StringComparer.Ordinal).ToArray();
    }, cancellationToken);
}
