using Ledger.Kernel;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using Ledger.TestDomain;

namespace Ledger.Relay.Tests;

/// <summary>A relay process restarted mid-run (its Kestrel host stopped while devices push and pull, then started
/// again on the same SQLite store, key and port) loses no acknowledged op; the devices resend and converge.</summary>
public sealed class RelayRestartTests
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_relay_restarted_mid_run_over_http_loses_no_acknowledged_op_and_the_devices_converge()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-relay-restart-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var port = World.FreePort();
            LedgerRelayHostOptions Options()
            {
                var options = new LedgerRelayHostOptions { StorePath = Path.Combine(dir, "relay.db"), Ledger = World.Ledger };
                options.Urls.Clear();
                options.Urls.Add($"http://127.0.0.1:{port}");
                return options;
            }

            var host = await LedgerRelayHost.StartAsync(Options());
            var trusted = host.Server.Options.Ledgers[0].Relay.CheckpointVerifierKey;
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
            var client = World.Client(http);
            await using var a = await World.NewNodeAsync("restart-a", trusted, pullBatch: 50);
            await using var b = await World.NewNodeAsync("restart-b", trusted, pullBatch: 50);
            var acknowledged = new List<(OpRef Op, long Position)>();
            try
            {
                for (var round = 0; round < 4; round++)
                {
                    for (var i = 0; i < 40; i++)
                    {
                        await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("a", (round * 100) + i));
                        await b.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("b", (round * 100) + i));
                    }

                    // Both devices sync while the relay is stopped under them in round 1 and 2 (whatever the timing).
                    var syncs = Task.WhenAll(a.SyncAsync(client), b.SyncAsync(client));
                    if (round is 1 or 2)
                    {
                        await host.DisposeAsync();
                        host = await LedgerRelayHost.StartAsync(Options());
                    }

                    await syncs;
                    acknowledged.AddRange(a.Ladder().Concat(b.Ladder()).Where(o => o.Position is not null).Select(o => (o.Op, o.Position!.Value)));
                }

                await World.ConvergeAsync(client, a, b);
                var relay = host.Server.Options.Ledgers[0].Relay;
                Assert.Equal(2 + (4 * 80), relay.Size);
                Assert.Equal(a.StateHash(), b.StateHash());
                // Every op a device was told is held sits at the position it was told.
                foreach (var (op, position) in acknowledged.Distinct())
                {
                    var stored = (await relay.Store.FindAsync(op.Author, op.Seq));
                    Assert.NotNull(stored);
                    Assert.Equal(position, stored!.Position);
                }
            }
            finally
            {
                await host.DisposeAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
