using Ledger.Erasure;
using Ledger.Kernel;
using Ledger.Signing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ledger.Erasure.</summary>
public static class LedgerErasureServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ErasureOptions"/>, the key store (<see cref="InMemorySubjectKeyStore"/> unless an
    /// <see cref="ISubjectKeyStore"/> is registered: the SQLite default comes with Ledger.Erasure.Sqlite,
    /// <c>AddLedgerErasureSqliteKeyStore</c>), a <see cref="Sealer"/>, an <see cref="Unsealer"/> (which also reads the
    /// registered kernel's <c>$erased</c> rows, when there is one) and adds the erasure manifest to the kernel's
    /// options, so that kernels built from DI fold erase ops instead of parking them.</summary>
    public static IServiceCollection AddLedgerErasure(this IServiceCollection services, Action<ErasureOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ErasureOptions>().Configure(configure)
            .Validate(o => LedgerName.IsValid(o.Ledger), "ErasureOptions.Ledger must name the ledger (1-128 characters of [A-Za-z0-9._:/-]).");
        services.TryAddSingleton<ISubjectKeyStore>(sp =>
        {
            // Options are validated when the first erasure service is resolved, as before the SQLite store moved out.
            _ = sp.GetRequiredService<IOptions<ErasureOptions>>().Value;
            return new InMemorySubjectKeyStore();
        });
        services.TryAddSingleton(sp => new Sealer(sp.GetRequiredService<ISubjectKeyStore>(), sp.GetRequiredService<IOptions<ErasureOptions>>().Value.Random));
        services.TryAddSingleton(sp =>
        {
            var keys = sp.GetRequiredService<ISubjectKeyStore>();
            return sp.GetService<LedgerKernel>() is { } kernel ? Unsealer.For(keys, kernel.State) : new Unsealer(keys);
        });
        services.AddOptions<KernelOptions>().Configure(kernel => ErasureManifest.Use(kernel));
        return services;
    }
}
