using System.Net.Sockets;
using Npgsql;

namespace Ledger.Sync;

/// <summary>The package's one error factory: what Npgsql throws becomes a typed Ledger error — the server cannot be
/// reached or ended the session (<see cref="StoreUnavailableException"/>), another instance took an (author, seq)
/// first (<see cref="RelayStoreConflictException"/>), or the database does not hold what the schema says
/// (<see cref="StoreDamagedException"/>).</summary>
internal static class PostgreSqlErrors
{
    private const string UniqueViolation = "23505";

    public static Exception Translate(Exception e, string store, string doing) => e switch
    {
        PostgresException { SqlState: UniqueViolation, ConstraintName: var c } p when c is not null && c.Contains("author", StringComparison.Ordinal) =>
            Error.RelayStoreConflict($"{store}: an (author, seq) of the batch is held already ({p.Detail ?? p.MessageText}); nothing of the batch was stored.", e),
        PostgresException p when IsUnavailable(p.SqlState) => Error.StoreUnavailable(store, $"{doing} failed: {p.SqlState} {p.MessageText}", e),
        // Class 42 (a table or column missing or of another type), 22 (data), 23 (integrity), XX (internal): the
        // database does not hold what the schema says — changed by hand or damaged.
        PostgresException p => Error.StoreDamaged(store, doing, $"PostgreSQL refused it: {p.SqlState} {p.MessageText}", e),
        NpgsqlException or SocketException or TimeoutException or IOException => Error.StoreUnavailable(store, $"{doing} failed: {e.Message}", e),
        InvalidOperationException when e.Source == "Npgsql" => Error.StoreUnavailable(store, $"{doing} failed: {e.Message}", e),
        _ => e,
    };

    public static bool Translates(Exception e) => e is NpgsqlException or SocketException or TimeoutException or IOException
        || (e is InvalidOperationException && e.Source == "Npgsql");

    // Connection (08), resources (53), operator intervention (57: shutdown, terminated backends), serialization and
    // deadlock (40): the server or the session is the problem, not the data; the call can be repeated.
    private static bool IsUnavailable(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal)
        || state.StartsWith("57", StringComparison.Ordinal) || state.StartsWith("40", StringComparison.Ordinal);
}
