using Ledger.Sync.AspNetCore;
using Ledger.Sync.Http;
using Ledger.Sync.Tests;

namespace Ledger.Relay.Tests;

/// <summary>The shared sync witnesses (ladder, claims, recovery, equivocation; tests/Ledger.Sync.Tests/Witnesses) over
/// HTTP: each relay served by its own Kestrel host on loopback, each link an <see cref="HttpRelayClient"/>.</summary>
public sealed class HttpSyncWitnesses : SyncWitnesses
{
    /// <inheritdoc />
    protected override RelayLinks NewLinks() => new HttpLinks();
}

/// <summary>Links over HTTP: one Kestrel relay per <see cref="Sync.Relay"/> (started on first connect), a lost answer
/// is the relay's response dropped after it stored the push.</summary>
internal sealed class HttpLinks : RelayLinks
{
    private readonly Dictionary<Sync.Relay, LedgerRelayHost> _hosts = [];
    private readonly List<HttpClient> _clients = [];

    public override Sync.Relay NewRelay(Sync.RelayOptions options)
    {
        // Over HTTP the tree size is learnt from the signed checkpoint: a relay must sign them.
        options.CheckpointKey ??= World.RelayKey;
        return base.NewRelay(options);
    }

    public override async Task<Sync.IRelayProtocol> ConnectAsync(Sync.Relay relay, Func<bool>? loseAnswer = null)
    {
        if (!_hosts.TryGetValue(relay, out var host))
        {
            host = await LedgerRelayHost.StartAsync(new LedgerRelayServer(new LedgerRelayOptions().AddLedger(relay)), ["http://127.0.0.1:0"]);
            _hosts[relay] = host;
        }

        return Client(host.Urls[0], relay.Ledger, loseAnswer);
    }

    public override Task<Sync.IRelayProtocol> UnreachableAsync() => Task.FromResult<Sync.IRelayProtocol>(Client($"http://127.0.0.1:{World.FreePort()}", Sync.Tests.World.Ledger, null));

    private HttpRelayClient Client(string url, string ledger, Func<bool>? loseAnswer)
    {
        var http = new HttpClient(new LosingHandler(loseAnswer)) { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(http);
        return new HttpRelayClient(http, new HttpRelayClientOptions { Ledger = ledger });
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        foreach (var host in _hosts.Values) await host.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Drops the answer of a push the relay answered, while <c>lose</c> says so.</summary>
    private sealed class LosingHandler(Func<bool>? lose) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Post && lose?.Invoke() == true)
            {
                response.Dispose();
                throw new HttpRequestException("the relay's answer was lost (test).");
            }

            return response;
        }
    }
}
