namespace Ledger.Tool.Tests;

/// <summary>A fact that needs PostgreSQL: skipped with the reason when the server is missing outside CI; in CI it runs
/// (and fails without a server). An attribute rather than Ledger.Sync.PostgreSql.Tests' skipping test framework: two
/// tests here need the server, and the rest of the project should not run under a custom framework for them.</summary>
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        if (PostgreSqlServer.SkipReason is { } reason) Skip = reason;
    }
}
