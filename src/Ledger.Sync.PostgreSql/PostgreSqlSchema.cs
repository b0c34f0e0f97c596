using System.Globalization;
using Npgsql;

namespace Ledger.Sync;

/// <summary>The versioned schema of the PostgreSQL relay store. The database records its version in
/// <c>ledger_relay_schema</c>. Opening takes a transaction-scoped advisory lock (instances starting together migrate
/// once), then: no schema → created at the current version; an older one → upgraded step by step in that one
/// transaction (a failed step leaves the database at its old version); a newer one → refused, nothing changed.</summary>
internal sealed class PostgreSqlSchema(int current, IReadOnlyList<PostgreSqlSchemaStep> steps)
{
    /// <summary>Step v (from 0) takes a database of version v to v + 1; version 0 is an empty database.</summary>
    public static readonly PostgreSqlSchema Relay = new(5, [
        // Version 1. Positions come from the per-ledger counter row (ledger_relay_ledgers.next_position), locked in the
        // ingest transaction — never from a sequence: a sequence hands out numbers that commit out of order and leave
        // gaps, so a reader could see N+1 before N. Evidence and cosignature ids need only an order, not contiguity:
        // identity columns are fine there (nobody follows them as a cursor).
        """
        CREATE TABLE ledger_relay_ledgers (
          ledger text PRIMARY KEY,
          next_position bigint NOT NULL CHECK (next_position >= 0),
          log_bytes bigint NOT NULL CHECK (log_bytes >= 0));
        CREATE TABLE ledger_relay_log (
          ledger text NOT NULL REFERENCES ledger_relay_ledgers (ledger),
          position bigint NOT NULL CHECK (position >= 0),
          author text NOT NULL,
          seq bigint NOT NULL CHECK (seq >= 1),
          hash bytea NOT NULL,
          bytes bytea NOT NULL,
          key_event boolean NOT NULL,
          PRIMARY KEY (ledger, position),
          UNIQUE (ledger, author, seq));
        CREATE INDEX ledger_relay_log_key_events ON ledger_relay_log (ledger, author, seq) WHERE key_event;
        CREATE TABLE ledger_relay_evidence (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          ledger text NOT NULL REFERENCES ledger_relay_ledgers (ledger),
          kind text NOT NULL,
          accused text NOT NULL,
          bytes bytea NOT NULL);
        CREATE INDEX ledger_relay_evidence_ledger ON ledger_relay_evidence (ledger, id);
        CREATE TABLE ledger_relay_cosignatures (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          ledger text NOT NULL REFERENCES ledger_relay_ledgers (ledger),
          note bytea NOT NULL);
        CREATE INDEX ledger_relay_cosignatures_ledger ON ledger_relay_cosignatures (ledger, id);
        """,
        // Version 2. The Merkle tree of each ledger's order, as C2SP tlog-tiles (height 8): tile (level, idx) holds up
        // to 256 hashes, 32 bytes each, concatenated; the rightmost tile of a level is partial and grows in place until
        // it is full, then never changes. The ingest transaction extends the tiles and records the tree head (the root
        // at next_position) in the counter row, so every instance serves the same checkpoint from the database and
        // checks the tiles it reads against that head. Tiles, not a row per node: a batch rewrites one partial tile a
        // level instead of inserting two rows an op, and a root or proof reads a few rows per 8 tree levels. Hashes do
        // not compress: stored out of line without trying (EXTERNAL). The upgrade builds the tiles of an existing log
        // in the upgrade transaction (PostgreSqlMerkleTree.BuildAsync), reading every op once and verifying its hash.
        new(
            $"""
            ALTER TABLE ledger_relay_ledgers ADD COLUMN tree_root bytea NOT NULL DEFAULT '\x{Convert.ToHexStringLower(MerkleTree.EmptyRoot.ToArray())}'::bytea;
            CREATE TABLE ledger_relay_tiles (
              ledger text NOT NULL REFERENCES ledger_relay_ledgers (ledger),
              level integer NOT NULL CHECK (level BETWEEN 0 AND {MerkleTiles.MaxLevel}),
              idx bigint NOT NULL CHECK (idx >= 0),
              hashes bytea NOT NULL,
              PRIMARY KEY (ledger, level, idx));
            ALTER TABLE ledger_relay_tiles ALTER COLUMN hashes SET STORAGE EXTERNAL;
            """,
            PostgreSqlMerkleTree.BuildAsync),
        // Version 3: the latest beacon per author (PostgreSqlBeaconSchema).
        PostgreSqlBeaconSchema.Step,
        // Version 4: the latest bootstrap checkpoint per member (PostgreSqlRelayStore.Bootstrap.cs).
        PostgreSqlRelayStore.BootstrapTable,
        // Version 5: the log's foreign key to the counter row goes. PostgreSQL checks a foreign key with a trigger per
        // inserted row (a lookup of the counter row and a KEY SHARE lock on it): measured, about 9 µs of server CPU an
        // op, a third of what the database spent per op on ingest. It guarded nothing the ingest does not already
        // hold: every log row is inserted in the transaction that holds that very counter row FOR UPDATE (the store
        // finds it there or refuses the batch), nothing deletes counter rows, and opening checks the counter against
        // the log. The other tables keep theirs (a row per cosignature or evidence, a few tiles per batch).
        "ALTER TABLE ledger_relay_log DROP CONSTRAINT IF EXISTS ledger_relay_log_ledger_fkey;",
    ]);

    // Any constant: one lock for every Ledger relay schema change in a database.
    private const long MigrationLock = 0x4c6564676572_5231;

    public int Current { get; } = current;

    public IReadOnlyList<PostgreSqlSchemaStep> Steps { get; } = steps;

    /// <summary>Brings the database to <see cref="Current"/> (see the class summary).</summary>
    /// <exception cref="StoreSchemaException">The database records a newer version; nothing was changed.</exception>
    public async Task EnsureAsync(NpgsqlConnection connection, string where, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({MigrationLock});"), cancellationToken).ConfigureAwait(false);
        var version = await VersionAsync(connection, cancellationToken).ConfigureAwait(false);
        if (version > Current)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            throw Error.StoreSchema(where, version, Current,
                $"{where} was written by a newer Ledger (schema {version}; this build reads up to {Current}); update to open it. The database was not changed.");
        }

        if (version == Current)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (version == 0) await ExecuteAsync(connection, "CREATE TABLE ledger_relay_schema (version integer NOT NULL);", cancellationToken).ConfigureAwait(false);
        for (var v = version; v < Current; v++)
        {
            await ExecuteAsync(connection, Steps[v].Sql, cancellationToken).ConfigureAwait(false);
            if (Steps[v].Then is { } then) await then(connection, where, cancellationToken).ConfigureAwait(false);
        }
        await ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture,
            $"DELETE FROM ledger_relay_schema; INSERT INTO ledger_relay_schema (version) VALUES ({Current});"), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The version the database records; 0 when it has no Ledger relay schema.</summary>
    public static async Task<int> VersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass('ledger_relay_schema') IS NOT NULL;", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!) return 0;
        await using var read = new NpgsqlCommand("SELECT max(version) FROM ledger_relay_schema;", connection);
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int v ? v : 0;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
