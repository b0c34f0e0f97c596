using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync.Conformance;
using Ledger.Sync.Http;
using Xunit.Abstractions;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>Many relay instances, one order: relay processes (Kestrel, each its own process) over one PostgreSQL
/// database, pushed to at once, killed mid-batch.</summary>
public sealed class FleetTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task Two_relay_processes_on_one_database_keep_one_gapless_order_and_serve_the_checkpoint_a_single_relay_signs()
    {
        var db = PostgreSqlServer.CreateDatabase("fleet");
        try
        {
            using var a = new RelayInstance(db);
            using var b = new RelayInstance(db);
            var clients = new[] { Fleet.Client(a.Url, out var httpA), Fleet.Client(b.Url, out var httpB) };
            using var _a = httpA;
            using var _b = httpB;
            var chains = Enumerable.Range(0, 8).Select(i => ConformanceOps.Chain("fleet-" + i, 60)).ToArray();
            var acks = new Fleet.Acknowledgements();

            // Every author pushes its chain in batches to either instance; a third of the batches go to both at once
            // (a device resending through the other instance while the first still works on it).
            await Task.WhenAll(chains.Select((chain, i) => Task.Run(async () =>
            {
                var rng = new Random(i);
                for (var next = 0; next < chain.Count;)
                {
                    var batch = chain.Skip(next).Take(1 + rng.Next(12)).Select(o => o.Bytes).ToArray();
                    var first = rng.Next(2);
                    var pushes = rng.Next(3) == 0
                        ? [clients[first].PushAsync(batch), clients[1 - first].PushAsync(batch)]
                        : new[] { clients[first].PushAsync(batch) };
                    var held = (await Task.WhenAll(pushes)).Select(acks.Record).Max();
                    Assert.Equal(batch.Length, held);
                    next += held;
                }
            })));

            var log = await Fleet.AssertOneOrderAsync(db, acks.Snapshot());
            Assert.Equal(chains.Sum(c => c.Count), log.Count);
            var fromA = await clients[0].GetCheckpointAsync(null);
            var fromB = await clients[1].GetCheckpointAsync(null);
            Assert.Equal(fromA, fromB);
            Assert.Equal(await Fleet.InProcessCheckpointAsync(log), fromA);
            output.WriteLine($"{log.Count} ops, {acks.Snapshot().Count} acknowledged; both instances serve the same checkpoint");
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    /// <summary>LEDGER_PG_KILLS sets the number of kills (default 30) for a longer soak.</summary>
    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_relay_instance_killed_mid_batch_30_times_loses_no_acknowledged_op_and_leaves_no_gap_or_duplicate()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_PG_KILLS"), out var k) ? k : 30;
        var db = PostgreSqlServer.CreateDatabase("kill");
        try
        {
            using var survivor = new RelayInstance(db);
            var victim = new RelayInstance(db);
            var clients = new HttpRelayClient[2];
            var https = new HttpClient[2];
            clients[0] = Fleet.Client(survivor.Url, out https[0]);
            clients[1] = Fleet.Client(victim.Url, out https[1]);
            var chains = Enumerable.Range(0, 6).Select(i => ConformanceOps.Chain("kill-" + i, 1500)).ToArray();
            var acks = new Fleet.Acknowledgements();
            var failures = 0;
            using var stop = new CancellationTokenSource();

            var pushers = chains.Select((chain, i) => Task.Run(async () =>
            {
                var rng = new Random(100 + i);
                for (var next = 0; next < chain.Count && !stop.IsCancellationRequested;)
                {
                    var batch = chain.Skip(next).Take(4 + rng.Next(16)).Select(o => o.Bytes).ToArray();
                    try
                    {
                        // Mostly the instance being killed, so kills land mid-batch.
                        var held = acks.Record(await Volatile.Read(ref clients[rng.Next(4) == 0 ? 0 : 1]).PushAsync(batch));
                        next += held;
                    }
                    catch (RelayUnavailableException)
                    {
                        Interlocked.Increment(ref failures);
                        await Task.Delay(10);
                    }
                }
            })).ToArray();

            var killer = new Random(7);
            for (var kill = 0; kill < kills; kill++)
            {
                await Task.Delay(50 + killer.Next(250));
                victim.Kill();
                victim.Dispose();
                victim = new RelayInstance(db);
                var client = Fleet.Client(victim.Url, out var http);
                Volatile.Write(ref clients[1], client);
                https[1].Dispose();
                https[1] = http;
            }

            stop.Cancel();
            await Task.WhenAll(pushers);
            var log = await Fleet.AssertOneOrderAsync(db, acks.Snapshot());
            Assert.Equal(await Fleet.InProcessCheckpointAsync(log), await clients[0].GetCheckpointAsync(null));
            Assert.Equal(await clients[0].GetCheckpointAsync(null), await clients[1].GetCheckpointAsync(null));
            Assert.True(failures > 0, "no push was cut by a kill: the kills did not land mid-batch");
            output.WriteLine($"{kills} kills, {failures} pushes cut, {log.Count} ops stored, {acks.Snapshot().Count} acknowledged");
            victim.Dispose();
            foreach (var h in https) h.Dispose();
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }
}
