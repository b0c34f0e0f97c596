using Ledger.Erasure;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite subject key store of Ledger.Erasure.</summary>
public static class LedgerErasureSqliteServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="SqliteSubjectKeyStore"/> on <paramref name="path"/> as the
    /// <see cref="ISubjectKeyStore"/> (the embedded default for a replica), in place of the in-memory store
    /// <c>AddLedgerErasure</c> registers, whichever of the two is called first.</summary>
    public static IServiceCollection AddLedgerErasureSqliteKeyStore(this IServiceCollection services, string path)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        services.Replace(ServiceDescriptor.Singleton<ISubjectKeyStore>(_ => new SqliteSubjectKeyStore(path)));
        return services;
    }
}
