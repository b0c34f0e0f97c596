namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>A database of one test class (xunit class fixture), dropped after it.</summary>
public sealed class PostgreSqlDatabase : IDisposable
{
    private readonly Lazy<string> _connectionString = new(() => PostgreSqlServer.CreateDatabase("pg"));

    /// <summary>The database's connection string (created on first use; the server is required then).</summary>
    public string ConnectionString => _connectionString.Value;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_connectionString.IsValueCreated) PostgreSqlServer.DropDatabase(_connectionString.Value);
    }
}
