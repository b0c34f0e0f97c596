using Ledger.Kernel;
using Ledger.Migration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ledger.Migration.</summary>
public static class LedgerMigrationServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="ManifestHistory"/> of the shipped manifests as the kernel's resolver
    /// (other packages' manifests, e.g. key events, are added to it) and its advertisement.</summary>
    public static IServiceCollection AddLedgerMigration(this IServiceCollection services, Action<MigrationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<MigrationOptions>().Configure(configure);
        services.TryAddSingleton(sp => new ManifestHistory(sp.GetRequiredService<IOptions<MigrationOptions>>().Value.Shipped));
        services.TryAddSingleton<IManifestResolver>(sp => sp.GetRequiredService<ManifestHistory>());
        services.TryAddSingleton(sp => sp.GetRequiredService<ManifestHistory>().Advertise());
        services.AddOptions<KernelOptions>().Configure<ManifestHistory>((kernel, history) =>
        {
            // Manifests configured before (e.g. key events) move into the history.
            if (kernel.Manifests is ManifestCatalog catalog && !ReferenceEquals(catalog, history))
            {
                foreach (var m in catalog.Manifests) history.Add(m);
            }

            kernel.Manifests = history;
        });
        return services;
    }
}
