using Ledger.Kernel;
using Ledger.Signing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ledger.Signing.</summary>
public static class LedgerSigningServiceCollectionExtensions
{
    /// <summary>Registers <see cref="SigningOptions"/>, an in-memory <see cref="IWatermarkStore"/> (unless one is
    /// registered) and adds the key-event (and grant) manifests to the kernel's options, so that kernels
    /// built from DI fold key events instead of parking them.</summary>
    public static IServiceCollection AddLedgerSigning(this IServiceCollection services, Action<SigningOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SigningOptions>().Configure(configure).Validate(o => LedgerName.IsValid(o.Ledger), "SigningOptions.Ledger must name the ledger (1-128 characters of [A-Za-z0-9._:/-]).");
        services.TryAddSingleton<IWatermarkStore, InMemoryWatermarkStore>();
        services.AddOptions<KernelOptions>().Configure<IOptions<SigningOptions>>((kernel, signing) =>
        {
            KeyEvents.Use(kernel);
            if (signing.Value.EnableGrants) kernel.Use(Grants.Manifest);
        });
        return services;
    }
}
