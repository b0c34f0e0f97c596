using Ledger.Erasure.Tests;
using Ledger.Sync.AspNetCore;
using Ledger.Sync.Http;

namespace Ledger.Relay.Tests;

/// <summary>The erasure-over-sync witnesses (tests/Ledger.Erasure.Tests/ErasureOverSyncTests.cs) over HTTP: the relay
/// served by Kestrel on loopback, each shop syncing through its own <see cref="HttpRelayClient"/>.</summary>
public sealed class HttpErasureOverSyncTests : ErasureOverSyncTests, IAsyncLifetime
{
    private readonly List<LedgerRelayHost> _hosts = [];
    private readonly List<HttpClient> _clients = [];

    protected override async Task<Sync.IRelayProtocol> ConnectAsync(Sync.Relay relay)
    {
        if (_hosts.Count == 0) _hosts.Add(await LedgerRelayHost.StartAsync(new LedgerRelayServer(new LedgerRelayOptions().AddLedger(relay)), ["http://127.0.0.1:0"]));
        var http = World.Http(_hosts[0]);
        _clients.Add(http);
        return World.Client(http, relay.Ledger);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        foreach (var host in _hosts) await host.DisposeAsync();
    }
}
