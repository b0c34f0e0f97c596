using Ledger.Kernel;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>The relay runs in a child process on a SQLite file and is killed with SIGKILL at random points of
/// ingest. After every restart no acknowledged op is lost, nothing is duplicated, and the nodes, retrying,
/// converge to one state hash.</summary>
public class RelayCrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    [Trait("Risk", "G1")]
    [Trait("Risk", "A1")]
    public async Task Killing_the_relay_at_random_points_of_ingest_50_times_loses_no_acknowledged_op_and_duplicates_nothing()
    {
        var db = Path.Combine(World.TempDir(), "relay.db");
        using var relay = new ChildProcessRelay(db);
        var random = new Random(20261127);
        var nodes = new[] { await World.NewNodeAsync("till-a"), await World.NewNodeAsync("till-b"), await World.NewNodeAsync("till-c") };
        var acknowledged = new Dictionary<OpRef, long>();
        var interrupted = 0;
        relay.Start();
        // CI kills 50 times; LEDGER_CRASH_KILLS=1000 is the documented soak (docs/reliability.md, "Crash soak").
        var kills = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_CRASH_KILLS"), System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out var asked) && asked > 0 ? asked : 50;
        for (var round = 0; round < kills; round++)
        {
            // Work arrives on every till; the relay is killed while the tills push it.
            foreach (var node in nodes)
            {
                for (var i = random.Next(1, 6); i > 0; i--)
                {
                    await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", random.Next(1, 100)));
                }
            }

            var killer = Task.Run(async () =>
            {
                await Task.Delay(random.Next(0, 40));
                relay.Kill();
            });
            var cut = false;
            foreach (var node in nodes.OrderBy(_ => random.Next())) cut |= (await node.SyncAsync(relay)).Offline;
            await killer;
            if (cut) interrupted++;

            // What the tills believe durable must be in the relay's file, at that position, exactly once.
            using (var store = new SqliteRelayStore(db))
            {
                foreach (var node in nodes)
                {
                    foreach (var rung in node.Ladder().Where(r => r.IsSafe))
                    {
                        var held = (await store.FindAsync(rung.Op.Author, rung.Op.Seq));
                        Assert.True(held is not null, $"round {round}: {rung.Op} was acknowledged at {rung.Position} but the relay lost it");
                        Assert.Equal(rung.Position, held!.Position);
                        acknowledged[rung.Op] = held.Position;
                    }
                }

                var log = (await store.ReadAsync(0, int.MaxValue));
                Assert.Equal(log.Count, log.Select(o => (o.Author, o.Seq)).Distinct().Count());
                Assert.Equal(Enumerable.Range(0, log.Count).Select(i => (long)i), log.Select(o => o.Position));
            }

            relay.Start();
        }

        // Online for good: everyone retries until everything is durable, then all agree.
        for (var i = 0; i < 3; i++)
        {
            foreach (var node in nodes) await node.SyncAsync(relay);
        }

        Assert.Equal(kills + 1, relay.Starts);
        Assert.All(nodes, n => Assert.Equal(0, n.Durability().Local + n.Durability().Syncing));
        Assert.Single(nodes.Select(n => n.StateHash()).Distinct());
        output.WriteLine($"kills={kills} interruptedSyncs={interrupted} acknowledgedDuringKills={acknowledged.Count} relayOps={nodes.Sum(n => n.Ladder().Count)}");
        // The test has teeth only if the relay did acknowledge work between kills and the kills did cut syncs short.
        Assert.True(acknowledged.Count >= 30, $"only {acknowledged.Count} ops were acknowledged during the kills");
        Assert.True(interrupted >= 10, $"only {interrupted} of {kills} kills interrupted a sync");
        foreach (var node in nodes) await node.DisposeAsync();
    }
}
