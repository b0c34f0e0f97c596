using Npgsql;

namespace Ledger.Sync;

/// <summary>Which PostgreSQL database holds which ledger: exact ledger names first, then the longest matching name
/// prefix, then the default. A fleet of tenants spreads over databases and servers this way while one relay instance
/// serves many ledgers. One <see cref="NpgsqlDataSource"/> (one connection pool) per database, shared by its ledgers.</summary>
/// <remarks>Safe for concurrent use. Disposing the map disposes its data sources.</remarks>
public sealed class PostgreSqlLedgerMap : IDisposable
{
    private readonly Dictionary<string, string> _exact = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, string ConnectionString)> _prefixes = [];
    private readonly Dictionary<string, NpgsqlDataSource> _sources = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>A map whose ledgers all live in <paramref name="defaultConnectionString"/> unless mapped elsewhere (null:
    /// a ledger must be mapped).</summary>
    public PostgreSqlLedgerMap(string? defaultConnectionString = null) => Default = defaultConnectionString;

    /// <summary>The database of ledgers not mapped otherwise.</summary>
    public string? Default { get; }

    /// <summary>Puts <paramref name="ledger"/> in the database <paramref name="connectionString"/> names.</summary>
    public PostgreSqlLedgerMap Map(string ledger, string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(ledger);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        lock (_gate) _exact[ledger] = connectionString;
        return this;
    }

    /// <summary>Puts every ledger whose name starts with <paramref name="prefix"/> in the database
    /// <paramref name="connectionString"/> names (the longest matching prefix wins).</summary>
    public PostgreSqlLedgerMap MapPrefix(string prefix, string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        lock (_gate)
        {
            _prefixes.Add((prefix, connectionString));
            _prefixes.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length));
        }

        return this;
    }

    /// <summary>The connection string of the database that holds <paramref name="ledger"/>.</summary>
    /// <exception cref="InvalidOperationException">No database is mapped for it and there is no default.</exception>
    public string ConnectionStringFor(string ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        lock (_gate)
        {
            if (_exact.TryGetValue(ledger, out var exact)) return exact;
            foreach (var (prefix, connectionString) in _prefixes)
            {
                if (ledger.StartsWith(prefix, StringComparison.Ordinal)) return connectionString;
            }
        }

        return Default ?? throw Error.InvalidOperation($"no PostgreSQL database is mapped for ledger '{ledger}' and the map has no default.");
    }

    /// <summary>Opens the store of <paramref name="ledger"/> in its database (the map keeps the connection pool).</summary>
    /// <exception cref="InvalidOperationException">No database is mapped for the ledger.</exception>
    /// <exception cref="StoreSchemaException">The database holds a newer Ledger schema; nothing was changed.</exception>
    /// <exception cref="StoreUnavailableException">The server cannot be reached.</exception>
    public PostgreSqlRelayStore OpenStore(string ledger, long? capBytes = null)
    {
        var connectionString = ConnectionStringFor(ledger);
        NpgsqlDataSource source;
        lock (_gate)
        {
            if (!_sources.TryGetValue(connectionString, out source!)) _sources[connectionString] = source = NpgsqlDataSource.Create(connectionString);
        }

        return new PostgreSqlRelayStore(source, ledger, capBytes);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var source in _sources.Values) source.Dispose();
            _sources.Clear();
        }
    }
}
