using Ledger.Sync;
using Ledger.Sync.Http;
using Ledger.TestDomain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ledger.Relay.Tests;

/// <summary>The hosted sync loop: wakes on the relay's long poll, retries a failed push without a new write, backs off.</summary>
public sealed class SyncLoopTests
{
    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("timed out waiting until " + what);
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task A_node_learns_of_new_ops_through_the_long_poll_long_before_its_interval()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.LongPollTimeout = TimeSpan.FromSeconds(20);
        });
        await using var watcher = await World.NewNodeAsync("watcher", World.Trusted(relay));
        await using var writer = await World.NewNodeAsync("writer", World.Trusted(relay));

        // The watcher runs the hosted loop through DI (IHttpClientFactory + the standard resilience handler).
        var services = new ServiceCollection();
        services.AddSingleton(watcher);
        services.AddLedgerNode(o =>
        {
            o.RelayAddress = new Uri(host.Urls[0] + "/");
            o.Interval = TimeSpan.FromMinutes(10); // only the long poll can explain a prompt round
        });
        await using var provider = services.BuildServiceProvider();
        var loop = provider.GetRequiredService<LedgerNodeSyncService>();
        var hosted = provider.GetServices<IHostedService>().Single();
        Assert.Same(loop, hosted);
        await hosted.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilAsync(() => loop.Rounds >= 1, TimeSpan.FromSeconds(30), "the first round");
            await Task.Delay(300); // the loop is now in its long poll

            using var http = World.Http(host);
            await writer.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("w", 1));
            await writer.SyncAsync(World.Client(http));

            await WaitUntilAsync(() => watcher.StateHash() == writer.StateHash(), TimeSpan.FromSeconds(15), "the watcher holds the writer's op");
            Assert.Null(loop.LastError);
        }
        finally
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_failed_push_is_retried_with_backoff_without_waiting_for_the_next_local_write()
    {
        var port = World.FreePort();
        var relay = World.NewRelay();
        await using var node = await World.NewNodeAsync("retrier", World.Trusted(relay));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        using var loop = new LedgerNodeSyncService(node, World.Client(http), new LedgerNodeSyncOptions
        {
            Interval = TimeSpan.FromMinutes(10),
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
        });
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("r", 1));
        await loop.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilAsync(() => loop.ConsecutiveFailures >= 2, TimeSpan.FromSeconds(20), "two failed rounds");
            Assert.True(loop.LastResult?.Offline);

            // The relay comes up; no new write: the loop's backoff retries the push.
            await using var host = await World.StartAsync(o => o.AddLedger(relay), port);
            await WaitUntilAsync(() => node.Durability().Safe == 2, TimeSpan.FromSeconds(20), "the push is acknowledged");
            Assert.Equal(2, relay.Size);
            await WaitUntilAsync(() => loop.ConsecutiveFailures == 0, TimeSpan.FromSeconds(5), "the loop reports success");
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }
}
