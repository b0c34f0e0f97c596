using Ledger.Kernel;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Ledger kernel.</summary>
public static class LedgerKernelServiceCollectionExtensions
{
    /// <summary>Registers <see cref="KernelOptions"/> (Options pattern) and a singleton <see cref="LedgerKernel"/>.
    /// When the options name no resolver, a registered <see cref="IManifestResolver"/> is used; the kernel's meter comes
    /// from the host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/> when one is registered.</summary>
    public static IServiceCollection AddLedgerKernel(this IServiceCollection services, Action<KernelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<KernelOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<KernelOptions>>().Value;
            o.MeterFactory ??= sp.GetService<System.Diagnostics.Metrics.IMeterFactory>();
            o.Manifests ??= sp.GetService<IManifestResolver>()
                ?? throw Error.InvalidOperation("AddLedgerKernel: configure KernelOptions.Manifests (e.g. options.Use(manifest)) or register an IManifestResolver.");
            return new LedgerKernel(o);
        });
        return services;
    }
}
