using Ledger.Sync;
using Ledger.Sync.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the HTTP relay client and the hosted sync loop.</summary>
public static class LedgerSyncHttpServiceCollectionExtensions
{
    /// <summary>The named <see cref="HttpClient"/> of relay calls.</summary>
    public const string ClientName = "Ledger.Sync.Http";

    /// <summary>The named <see cref="HttpClient"/> of the long poll (longer attempt timeout).</summary>
    public const string LongPollClientName = "Ledger.Sync.Http.LongPoll";

    /// <summary>Registers an <see cref="HttpRelayClient"/> (as itself and as <see cref="IRelayProtocol"/>) over two named
    /// clients of <c>IHttpClientFactory</c> with the standard resilience handler of Microsoft.Extensions.Http.Resilience:
    /// attempt and total timeouts, retries with jittered exponential backoff (every relay call is safe to repeat,
    /// pushes included) and a circuit breaker. The long-poll client waits up to <paramref name="longPollTimeout"/>
    /// (default 60 s; keep it above the relay's own bound, 25 s by default).</summary>
    /// <remarks>With <paramref name="signer"/>, every attempt is signed afresh (RFC 9421) by a handler inside the
    /// resilience handler, so a retry is never refused as a replay.</remarks>
    public static IServiceCollection AddLedgerRelayClient(this IServiceCollection services, Uri relayAddress, string ledger, TimeSpan? longPollTimeout = null, RequestSigner? signer = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(relayAddress);
        return AddClient(services, relayAddress, _ => ledger, longPollTimeout, signer);
    }

    private static IServiceCollection AddClient(IServiceCollection services, Uri relayAddress, Func<IServiceProvider, string> ledger, TimeSpan? longPollTimeout, RequestSigner? signer)
    {
        var wait = longPollTimeout ?? TimeSpan.FromSeconds(60);
        var calls = services.AddHttpClient(ClientName, c => c.BaseAddress = relayAddress);
        calls.AddStandardResilienceHandler();
        if (signer is not null) calls.AddHttpMessageHandler(() => new RequestSigningHandler(signer));
        var live = services.AddHttpClient(LongPollClientName, c =>
        {
            c.BaseAddress = relayAddress;
            c.Timeout = Timeout.InfiniteTimeSpan; // the resilience handler's timeouts rule
        });
        live.AddStandardResilienceHandler(o =>
        {
            o.AttemptTimeout.Timeout = wait;
            o.TotalRequestTimeout.Timeout = wait * 3;
            o.CircuitBreaker.SamplingDuration = wait * 2;
        });
        if (signer is not null) live.AddHttpMessageHandler(() => new RequestSigningHandler(signer));
        services.TryAddSingleton(provider =>
        {
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            return new HttpRelayClient(() => factory.CreateClient(ClientName), new HttpRelayClientOptions { Ledger = ledger(provider) }, () => factory.CreateClient(LongPollClientName));
        });
        services.TryAddSingleton<IRelayProtocol>(provider => provider.GetRequiredService<HttpRelayClient>());
        return services;
    }

    /// <summary>Runs <see cref="LedgerNodeSyncService"/> as a hosted service for the <see cref="DeviceNode"/> the app
    /// registers (a node needs the device's key and store, which only the app has), syncing with the relay at
    /// <see cref="LedgerNodeSyncOptions.RelayAddress"/> through <see cref="AddLedgerRelayClient"/>. The service is
    /// also registered as itself, so the app can <see cref="LedgerNodeSyncService.Nudge"/> it after a write.</summary>
    public static IServiceCollection AddLedgerNode(this IServiceCollection services, Action<LedgerNodeSyncOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new LedgerNodeSyncOptions();
        configure(options);
        if (options.RelayAddress is null) throw Errors.Argument("LedgerNodeSyncOptions.RelayAddress names the relay.", nameof(configure));
        // The client's ledger defaults to the node's.
        AddClient(services, options.RelayAddress, provider => options.Ledger ?? provider.GetRequiredService<DeviceNode>().Ledger, null, options.Signer);
        services.TryAddSingleton(provider => new LedgerNodeSyncService(provider.GetRequiredService<DeviceNode>(), provider.GetRequiredService<IRelayProtocol>(), options,
            provider.GetService<TimeProvider>(), provider.GetService<Microsoft.Extensions.Logging.ILogger<LedgerNodeSyncService>>()));
        services.AddHostedService(provider => provider.GetRequiredService<LedgerNodeSyncService>());
        return services;
    }
}
