using Microsoft.AspNetCore.Builder;
using Ledger.Sync.AspNetCore;
using Ledger.Sync;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the relay protocol over HTTP.</summary>
public static class LedgerRelayServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="LedgerRelayServer"/> singleton over <see cref="LedgerRelayOptions"/>. When
    /// <paramref name="configure"/> adds no ledger, the <see cref="Relay"/> registered by <c>AddLedgerSync</c> is served
    /// (private).</summary>
    public static IServiceCollection AddLedgerRelay(this IServiceCollection services, Action<LedgerRelayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LedgerRelayOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            configure?.Invoke(options);
            options.LoggerFactory ??= provider.GetService<Microsoft.Extensions.Logging.ILoggerFactory>();
            if (options.Ledgers.Count == 0 && provider.GetService<Relay>() is { } relay) options.AddLedger(relay);
        });
        services.TryAddSingleton(provider => new LedgerRelayServer(provider.GetRequiredService<IOptions<LedgerRelayOptions>>().Value));
        AddRateLimiterPolicy(services);
        return services;
    }

    /// <summary>ASP.NET Core rate limiting with the relay's per-author policy and its 429 problem.</summary>
    internal static void AddRateLimiterPolicy(IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>().Configure<LedgerRelayServer>((options, server) =>
        {
            options.AddPolicy(LedgerRelayServer.RateLimiterPolicy, server.Partition);
            options.OnRejected = (context, _) => new ValueTask(server.RejectAsync(context.HttpContext, context.Lease));
        });
    }
}
