using System.Diagnostics.Metrics;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ledger.Sync.</summary>
public static class LedgerSyncServiceCollectionExtensions
{
    /// <summary>Registers <see cref="NodeOptions"/> (for the app's <see cref="DeviceNode.OpenAsync"/>: a node needs the
    /// device's key and store, which only the app has) with the manifests of the registered kernel options and the
    /// host's <see cref="IMeterFactory"/>; and, when <paramref name="relay"/> is given, <see cref="RelayOptions"/> and a
    /// <see cref="Relay"/> singleton over the registered <see cref="IRelayStore"/> (a relay has no default store:
    /// losing its order is not a default).</summary>
    public static IServiceCollection AddLedgerSync(this IServiceCollection services, Action<NodeOptions>? node = null, Action<RelayOptions>? relay = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<NodeOptions>().Configure(node ?? (_ => { }))
            .PostConfigure<IServiceProvider>((options, provider) =>
            {
                options.MeterFactory ??= provider.GetService<IMeterFactory>();
                options.Manifests ??= provider.GetService<IOptions<KernelOptions>>()?.Value.Manifests;
            })
            .Validate(o => LedgerName.IsValid(o.Ledger), "NodeOptions.Ledger must name the ledger (1-128 characters of [A-Za-z0-9._:/-]).");
        if (relay is null) return services;

        services.AddOptions<RelayOptions>().Configure(relay)
            .PostConfigure<IServiceProvider>((options, provider) => options.MeterFactory ??= provider.GetService<IMeterFactory>())
            .Validate(o => LedgerName.IsValid(o.Ledger), "RelayOptions.Ledger must name the ledger (1-128 characters of [A-Za-z0-9._:/-]).");
        services.TryAddSingleton(provider => new Relay(provider.GetRequiredService<IOptions<RelayOptions>>().Value,
            provider.GetService<IRelayStore>() ?? throw Error.InvalidOperation(
                "AddLedgerSync: a relay needs a store: register an IRelayStore (SqliteRelayStore for a real relay, InMemoryRelayStore for tests).")));
        return services;
    }
}
