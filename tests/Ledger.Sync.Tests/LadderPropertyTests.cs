using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>The durability ladder never lies: over random schedules of appends, sends, acknowledgements, lost
/// answers, offline spells and restarts, an op the ladder calls safe is always held by the relay at that
/// position, and critical ops complete only once the relay holds them.</summary>
public class LadderPropertyTests
{
    private enum Step
    {
        Append,
        AppendCritical,
        AppendClaim,
        Sync,
        GoOffline,
        GoOnline,
        LoseNextAnswer,
        Restart,
    }

    [Fact]
    [Trait("Risk", "A1")]
    public void A_durable_op_is_always_held_by_the_relay_under_random_schedules()
    {
        var steps = Gen.Frequency(
            (6, Gen.Constant(Step.Append)),
            (2, Gen.Constant(Step.AppendCritical)),
            (2, Gen.Constant(Step.AppendClaim)),
            (6, Gen.Constant(Step.Sync)),
            (1, Gen.Constant(Step.GoOffline)),
            (2, Gen.Constant(Step.GoOnline)),
            (1, Gen.Constant(Step.LoseNextAnswer)),
            (1, Gen.Constant(Step.Restart)));
        var schedule = Gen.Zip(Gen.Choose(0, 2), steps).ListOf(40);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(Arb.From(schedule), plan => Run(plan).GetAwaiter().GetResult()));
    }

    private static async Task Run(IReadOnlyList<(int Node, Step Step)> plan)
    {
        var relay = World.NewRelay();
        var links = Enumerable.Range(0, 3).Select(_ => new InMemoryRelayTransport(relay)).ToArray();
        var stores = Enumerable.Range(0, 3).Select(_ => new ReopenableStore()).ToArray();
        var labels = new[] { "till-0", "till-1", "till-2" };
        var nodes = new DeviceNode[labels.Length];
        for (var i = 0; i < labels.Length; i++) nodes[i] = await World.NewNodeAsync(labels[i], stores[i]);
        var critical = new List<(int Node, AppendReceipt Receipt)>();
        var lose = new bool[3];
        for (var i = 0; i < 3; i++)
        {
            var k = i;
            links[k].LoseAnswer = () =>
            {
                var l = lose[k];
                lose[k] = false;
                return l;
            };
        }

        foreach (var (n, step) in plan)
        {
            switch (step)
            {
                case Step.Append:
                    await nodes[n].AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
                    break;
                case Step.AppendCritical:
                    critical.Add((n, await nodes[n].AppendAsync(TestManifest.V1, TestManifest.PostSale, new SaleArgs("inv", "cash", 10), critical: true)));
                    break;
                case Step.AppendClaim:
                    await nodes[n].AppendAsync(TestManifest.V1, TestManifest.TakeUnit, new UnitsArgs(1, "o"), claimKey: "sku:1");
                    break;
                case Step.Sync:
                    await nodes[n].SyncAsync(links[n]);
                    break;
                case Step.GoOffline:
                    links[n].Online = false;
                    break;
                case Step.GoOnline:
                    links[n].Online = true;
                    break;
                case Step.LoseNextAnswer:
                    lose[n] = true;
                    break;
                case Step.Restart:
                    await nodes[n].DisposeAsync();
                    critical.RemoveAll(c => c.Node == n);
                    nodes[n] = await World.ReopenAsync(labels[n], stores[n]);
                    break;
            }

            await AssertLadderTruthful(nodes, relay);
            foreach (var (node, receipt) in critical.Where(c => c.Receipt.Done.IsCompleted))
            {
                Assert.True((await relay.Store.FindAsync(receipt.Op.Author, receipt.Op.Seq)) is not null, $"critical {receipt.Op} reported done but the relay does not hold it");
            }
        }

        // Back online: everything becomes durable, every critical op completes, all replicas agree.
        foreach (var link in links) link.Online = true;
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 3; i++) await nodes[i].SyncAsync(links[i]);
        }

        await AssertLadderTruthful(nodes, relay);
        Assert.All(nodes, n => Assert.Equal(0, n.Durability().Local + n.Durability().Syncing));
        foreach (var (_, receipt) in critical) Assert.True(receipt.Done.IsCompleted, $"critical {receipt.Op} did not complete after reconnecting");
        Assert.Single(nodes.Select(n => n.StateHash()).Distinct());
        foreach (var node in nodes) await node.DisposeAsync();
    }

    private static async Task AssertLadderTruthful(DeviceNode[] nodes, Relay relay)
    {
        foreach (var node in nodes)
        {
            var ladder = node.Ladder();
            var report = node.Durability();
            Assert.Equal(ladder.Count, report.Local + report.Syncing + report.Safe + report.Refused);
            foreach (var rung in ladder.Where(r => r.IsSafe))
            {
                var held = (await relay.Store.FindAsync(rung.Op.Author, rung.Op.Seq));
                Assert.True(held is not null && held.Position == rung.Position, $"{rung.Op} is {rung.Rung} at {rung.Position} but the relay holds {held?.Position.ToString() ?? "nothing"}");
            }
        }
    }

    /// <summary>An in-memory store that survives the node being disposed, like a file survives a restart.</summary>
    private sealed class ReopenableStore() : WrappedNodeStore(new InMemoryNodeStore())
    {
        public override void Dispose()
        {
        }
    }
}
