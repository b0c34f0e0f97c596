using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ledger.Sync;

/// <summary>Registers the SQLite stores of Ledger.Sync.</summary>
public static class LedgerSqliteServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="SqliteRelayStore"/> on <paramref name="path"/> as the <see cref="IRelayStore"/>
    /// that <c>AddLedgerSync(relay: …)</c> builds its relay over: the embedded default for a relay.</summary>
    public static IServiceCollection AddLedgerSqliteRelayStore(this IServiceCollection services, string path, long? capBytes = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(path);
        services.TryAddSingleton<IRelayStore>(_ => new SqliteRelayStore(path, capBytes));
        return services;
    }
}
