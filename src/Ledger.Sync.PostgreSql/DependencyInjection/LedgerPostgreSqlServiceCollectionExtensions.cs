using Ledger.Sync;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL relay store.</summary>
public static class LedgerPostgreSqlServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="PostgreSqlRelayStore"/> in the database <paramref name="connectionString"/>
    /// names as the <see cref="IRelayStore"/> the relay (<c>AddLedgerSync(relay: …)</c>, served by
    /// <c>AddLedgerRelay</c>) is built over, for the ledger <see cref="RelayOptions.Ledger"/> names:
    /// <c>services.AddLedgerSync(relay: o => …).AddLedgerRelay().UsePostgreSql(connectionString)</c>. Every relay
    /// instance registered this way on one database serves one order, and a <see cref="PostgreSqlRelayListener"/>
    /// started beside the store wakes this instance's long polls when another instance stores ops.</summary>
    public static IServiceCollection UsePostgreSql(this IServiceCollection services, string connectionString, long? capBytes = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        services.TryAddSingleton<PostgreSqlRelayListeners>();
        services.TryAddSingleton<IRelayStore>(provider =>
            Listened(provider, connectionString, new PostgreSqlRelayStore(connectionString, provider.GetRequiredService<IOptions<RelayOptions>>().Value.Ledger, capBytes)));
        return services;
    }

    /// <summary>As <see cref="UsePostgreSql(IServiceCollection, string, long?)"/>, choosing the database by ledger:
    /// <paramref name="databases"/> maps ledger names to connection strings (a fleet of tenants spread over
    /// servers).</summary>
    /// <exception cref="InvalidOperationException">The map names no database for the relay's ledger (when the store is built).</exception>
    public static IServiceCollection UsePostgreSql(this IServiceCollection services, PostgreSqlLedgerMap databases, long? capBytes = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(databases);
        services.TryAddSingleton<PostgreSqlRelayListeners>();
        services.TryAddSingleton<IRelayStore>(provider =>
        {
            var ledger = provider.GetRequiredService<IOptions<RelayOptions>>().Value.Ledger;
            return Listened(provider, databases.ConnectionStringFor(ledger), databases.OpenStore(ledger, capBytes));
        });
        return services;
    }

    // The listener belongs to the container (through PostgreSqlRelayListeners), which disposes it with the store.
    private static PostgreSqlRelayStore Listened(IServiceProvider provider, string connectionString, PostgreSqlRelayStore store)
    {
        provider.GetRequiredService<PostgreSqlRelayListeners>().Add(new PostgreSqlRelayListener(connectionString, [store]));
        return store;
    }
}
