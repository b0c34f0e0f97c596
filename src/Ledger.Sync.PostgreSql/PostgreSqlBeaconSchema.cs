namespace Ledger.Sync;

/// <summary>The beacon table of the PostgreSQL relay store (schema version 3): the latest beacon per (ledger, author),
/// so the fleet's beacons and alerts survive a relay restart and every instance sharing the database sees them.</summary>
internal static class PostgreSqlBeaconSchema
{
    /// <summary>The step from version 2 to 3.</summary>
    public const string Step = """
        CREATE TABLE ledger_relay_beacons (
          ledger text NOT NULL REFERENCES ledger_relay_ledgers (ledger),
          author text NOT NULL,
          sent_at bigint NOT NULL,
          received_at bigint NOT NULL,
          bytes bytea NOT NULL,
          PRIMARY KEY (ledger, author));
        """;
}
