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
            var served = new System.Collections.Concurrent.ConcurrentBag<byte[]>();

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
                    // Checkpoints asked of either instance while the other one appends: each instance's tree must catch
                    // up with what the other stored.
                    served.Add((await clients[rng.Next(2)].GetCheckpointAsync(null))!);
                }
            })));

            var log = await Fleet.AssertOneOrderAsync(db, acks.Snapshot());
            Assert.Equal(chains.Sum(c => c.Count), log.Count);
            var fromA = await clients[0].GetCheckpointAsync(null);
            var fromB = await clients[1].GetCheckpointAsync(null);
            Assert.Equal(fromA, fromB);
            Assert.Equal(await Fleet.InProcessCheckpointAsync(log), fromA);
            // Every checkpoint served during the run is the one a single relay signs for its size.
            using var single = await Fleet.InProcessRelayAsync(log);
            var key = single.CheckpointVerifierKey!;
            foreach (var note in served)
            {
                var (checkpoint, _, verdict) = RelayCheckpoint.Open(note, key);
                Assert.True(verdict.Ok, verdict.Reason);
                Assert.Equal(await single.GetCheckpointAsync(checkpoint.Size), note);
            }

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
            // Long enough chains that pushing outlasts the kills (pushers pause between batches; restarts take seconds).
            var chains = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => ConformanceOps.Chain("kill-" + i, 4000))));
            var acks = new Fleet.Acknowledgements();
            var failures = 0;
            var inFlight = 0;
            using var stop = new CancellationTokenSource();

            var pushers = chains.Select((chain, i) => Task.Run(async () =>
            {
                var rng = new Random(100 + i);
                for (var next = 0; next < chain.Count && !stop.IsCancellationRequested;)
                {
                    var batch = chain.Skip(next).Take(4 + rng.Next(16)).Select(o => o.Bytes).ToArray();
                    var toVictim = rng.Next(4) != 0;
                    if (toVictim) Interlocked.Increment(ref inFlight);
                    try
                    {
                        // Mostly the instance being killed, so kills land mid-batch.
                        var held = acks.Record(await Volatile.Read(ref clients[toVictim ? 1 : 0]).PushAsync(batch));
                        next += held;
                    }
                    catch (RelayUnavailableException)
                    {
                        Interlocked.Increment(ref failures);
                    }
                    finally
                    {
                        if (toVictim) Interlocked.Decrement(ref inFlight);
                    }

                    await Task.Delay(150 + rng.Next(300));
                }
            })).ToArray();

            // Each kill lands while a push to the victim is in flight, a few milliseconds into it.
            var killer = new Random(7);
            var midBatch = 0;
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while (midBatch < kills && DateTime.UtcNow < deadline)
            {
                var waitUntil = DateTime.UtcNow.AddSeconds(3);
                while (Volatile.Read(ref inFlight) == 0 && DateTime.UtcNow < waitUntil) await Task.Delay(1);
                if (Volatile.Read(ref inFlight) == 0) continue;
                await Task.Delay(killer.Next(4));
                if (Volatile.Read(ref inFlight) > 0) midBatch++;
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
            Assert.True(midBatch >= kills, $"only {midBatch} of the kills landed mid-batch");
            Assert.True(failures > 0, "no push was cut by a kill");
            output.WriteLine($"{midBatch} kills mid-batch, {failures} pushes cut, {log.Count} ops stored, {acks.Snapshot().Count} acknowledged");
            victim.Dispose();
            foreach (var h in https) h.Dispose();
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }
}
