using System.Globalization;
using Npgsql;

namespace Ledger.Tests;

/// <summary>The PostgreSQL server the tests use: <c>LEDGER_PG</c> (a connection string with CREATEDB rights), by default
/// the local <c>ledger</c> role. Every test class works in a database of its own, created for it and dropped after, so
/// tests running on a shared server never see each other's rows. No server: the tests are skipped with a message —
/// except in CI (<c>CI=true</c>), where they fail. Linked into the test projects that need PostgreSQL (not every test
/// project references Npgsql, so it is not in tests/Shared itself): Ledger.Sync.PostgreSql.Tests skips through
/// <see cref="SkipToken"/> (its SkippingTestFramework), Ledger.Tool.Tests through <see cref="SkipReason"/>
/// (PostgreSqlFactAttribute).</summary>
internal static class PostgreSqlServer
{
    public const string DefaultConnectionString = "Host=localhost;Username=ledger;Password=ledger;Database=ledger";

    /// <summary>A test failing with a message that starts with this is reported skipped (SkippingTestFramework).</summary>
    public const string SkipToken = "$LedgerSkip$";

    private static readonly Lazy<string?> Problem = new(Probe);

    public static string ConnectionString { get; } = Environment.GetEnvironmentVariable("LEDGER_PG") is { Length: > 0 } pg ? pg : DefaultConnectionString;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the tests skip (null: they run). Never a reason in CI.</summary>
    public static string? SkipReason => InCi || Problem.Value is null ? null : Unreachable();

    /// <summary>Throws unless the server answers: a skip outside CI, a failure in CI.</summary>
    public static void Require()
    {
        if (Problem.Value is null) return;
        if (InCi) throw new InvalidOperationException("CI=true and " + Unreachable());
        throw new SkipException(SkipToken + Unreachable());
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public static string CreateDatabase(string purpose)
    {
        Require();
        var name = string.Create(CultureInfo.InvariantCulture, $"ledger_test_{purpose}_{Guid.NewGuid():N}")[..Math.Min(63, 12 + purpose.Length + 1 + 32)].ToLowerInvariant();
        using (var connection = new NpgsqlConnection(ConnectionString))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
            create.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ToString();
    }

    /// <summary>Drops the database <paramref name="connectionString"/> names (ending its sessions first).</summary>
    public static void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        PostgreSqlDatabases.Drop(connection, name ?? string.Empty);
    }

    /// <summary>Runs SQL in the database.</summary>
    public static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public static object? Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    private static string Unreachable() =>
        $"PostgreSQL is not reachable at LEDGER_PG ({Redacted(ConnectionString)}): {Problem.Value}. Start it (see .ci/run) or set LEDGER_PG.";

    private static string? Probe()
    {
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Timeout = 3 }.ToString());
            connection.Open();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    private static string Redacted(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Password is not null) builder.Password = "***";
        return builder.ToString();
    }

    private sealed class SkipException(string message) : Exception(message);
}
