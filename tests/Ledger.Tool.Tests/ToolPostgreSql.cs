using System.Globalization;
using Npgsql;

namespace Ledger.Tool.Tests;

/// <summary>The PostgreSQL server the <c>ledger relay serve --store postgres</c> tests use: <c>LEDGER_PG</c> (a
/// connection string with CREATEDB rights), by default the local <c>ledger</c> role. Each test works in a database of
/// its own, created for it and dropped after. No server: the tests are skipped with a message — except in CI
/// (<c>CI=true</c>), where they run and fail (as tests/Ledger.Sync.PostgreSql.Tests/PostgreSqlServer.cs does).</summary>
internal static class ToolPostgreSql
{
    public const string DefaultConnectionString = "Host=localhost;Username=ledger;Password=ledger;Database=ledger";

    private static readonly Lazy<string?> Problem = new(Probe);

    public static string ConnectionString { get; } = Environment.GetEnvironmentVariable("LEDGER_PG") is { Length: > 0 } pg ? pg : DefaultConnectionString;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the tests skip (null: they run). Never a reason in CI.</summary>
    public static string? SkipReason => InCi || Problem.Value is not { } problem
        ? null
        : $"PostgreSQL is not reachable at LEDGER_PG ({Redacted(ConnectionString)}): {problem}. Start it (see .ci/run) or set LEDGER_PG.";

    /// <summary>A new, empty database; returns its connection string. Fails (in CI) when the server is missing.</summary>
    public static string CreateDatabase(string purpose)
    {
        if (Problem.Value is { } problem) throw new InvalidOperationException($"CI=true and PostgreSQL is not reachable at LEDGER_PG ({Redacted(ConnectionString)}): {problem}");
        var name = string.Create(CultureInfo.InvariantCulture, $"ledger_tool_{purpose}_{Guid.NewGuid():N}").ToLowerInvariant();
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
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE);", connection);
        drop.ExecuteNonQuery();
    }

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
}

/// <summary>A fact that needs PostgreSQL: skipped with the reason when the server is missing outside CI; in CI it runs
/// (and fails without a server).</summary>
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        if (ToolPostgreSql.SkipReason is { } reason) Skip = reason;
    }
}
