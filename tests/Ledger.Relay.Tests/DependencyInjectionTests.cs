using System.Net;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Relay.Tests;

/// <summary>An app hosts the relay with its own WebApplication: AddLedgerSync's relay, AddLedgerRelay, MapLedgerRelay.</summary>
public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task AddLedgerRelay_serves_the_relay_AddLedgerSync_registered_and_MapLedgerRelay_maps_it_on_minimal_apis()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IRelayStore>(new InMemoryRelayStore());
        builder.Services.AddLedgerSync(relay: o =>
        {
            o.Ledger = World.Ledger;
            o.CheckpointKey = World.RelayKey;
        });
        builder.Services.AddLedgerRelay(o => o.CheckpointMaxAge = TimeSpan.FromSeconds(1));
        await using var app = builder.Build();
        var group = app.MapLedgerRelay();
        Assert.NotNull(group);
        await app.StartAsync();
        try
        {
            var server = app.Services.GetRequiredService<LedgerRelayServer>();
            Assert.Same(app.Services.GetRequiredService<Sync.Relay>(), Assert.Single(server.Options.Ledgers).Relay);
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First() + "/") };
            var client = World.Client(http);
            var answer = await client.PushAsync(World.Chain("di-author", 2).Select(o => o.Bytes).ToArray());
            Assert.All(answer.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
            var checkpoint = await http.GetAsync($"v1/ledgers/{World.Ledger}/checkpoint");
            Assert.Equal(HttpStatusCode.OK, checkpoint.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), checkpoint.Headers.CacheControl!.MaxAge);
            Assert.Equal(3, (await client.PullAsync(0, 10)).Ops.Count);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
