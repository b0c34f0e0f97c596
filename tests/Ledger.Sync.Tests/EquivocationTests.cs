using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>A relay that shows different orders to different devices is caught and named, with evidence anyone
/// can check; an honest relay is never accused.</summary>
public class EquivocationTests
{
    private const string Origin = "relay.example/sync-test";

    private static SigningKey RelayKey => World.Key("relay", 0);

    private static NoteKey RelayVkey => NoteKey.Create(Origin, RelayKey.Public);

    private static Relay HonestRelay() => new(new RelayOptions { Ledger = World.Ledger, Origin = Origin, CheckpointKey = RelayKey }, new InMemoryRelayStore());

    private static Task<DeviceNode> NodeAsync(string label)
    {
        var options = World.Options();
        options.TrustedRelay = RelayVkey;
        return DeviceNode.InceptAsync(options, new InMemoryNodeStore(), World.Key(label, 0), label, World.Key(label, 1).Public.Digest);
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Every_honest_relay_schedule_produces_no_evidence()
    {
        var steps = Gen.Zip(Gen.Choose(0, 2), Gen.Choose(0, 3)).ListOf(30);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), Prop.ForAll(Arb.From(steps), plan => HonestSchedule(plan).GetAwaiter().GetResult()));
    }

    private static async Task HonestSchedule(IReadOnlyList<(int Node, int Action)> plan)
    {
        var relay = HonestRelay();
        var link = new InMemoryRelayTransport(relay);
        var gossip = new PeerGossip();
        var nodes = new[] { await NodeAsync("till-0"), await NodeAsync("till-1"), await NodeAsync("till-2") };
        foreach (var n in nodes) gossip.Join(n);
        foreach (var (n, action) in plan)
        {
            switch (action)
            {
                case 0:
                case 1:
                    await nodes[n].AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
                    break;
                case 2:
                    await nodes[n].SyncAsync(link);
                    break;
                case 3:
                    if ((await relay.GetCheckpointAsync()) is { } note) await nodes[n].OfferCheckpointAsync(note, link);
                    break;
            }
        }

        foreach (var n in nodes) await n.SyncAsync(link);
        foreach (var n in nodes) await n.SyncAsync(link);
        foreach (var n in nodes) Assert.Empty(await n.GetEvidenceAsync());
        Assert.All(nodes, n => Assert.Null(n.FrozenBecause));
        Assert.Single(nodes.Select(n => n.StateHash()).Distinct());
        Assert.Single(nodes.Select(n => n.WitnessedCheckpoint!.Root).Distinct());
        foreach (var n in nodes) await n.DisposeAsync();
    }

    [Fact]
    [Trait("Risk", "D4")]
    public async Task A_rollback_to_an_older_checkpoint_is_refused()
    {
        var relay = HonestRelay();
        var link = new InMemoryRelayTransport(relay);
        await using var node = await NodeAsync("till-a");
        await node.SyncAsync(link);
        var old = (await relay.GetCheckpointAsync())!;
        for (var i = 0; i < 5; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
        await node.SyncAsync(link);
        var witnessed = node.WitnessedCheckpoint!;
        Assert.Equal(relay.Size, witnessed.Size);

        var verdict = await node.OfferCheckpointAsync(old, link);
        Assert.Equal(CheckpointStatus.Refused, verdict.Status);
        Assert.Contains("rollback", verdict.Reason);
        Assert.Equal(witnessed, node.WitnessedCheckpoint);
        Assert.Empty((await node.GetEvidenceAsync()));
    }

    [Fact]
    [Trait("Risk", "D4")]
    public async Task Concurrent_checkpoint_updates_never_move_the_witness_back()
    {
        var relay = HonestRelay();
        var link = new InMemoryRelayTransport(relay);
        await using var writer = await NodeAsync("till-w");
        var notes = new List<byte[]>();
        for (var i = 0; i < 30; i++)
        {
            await writer.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
            await writer.SyncAsync(link);
            notes.Add((await relay.GetCheckpointAsync())!);
        }

        await using var witness = await NodeAsync("till-r");
        await witness.SyncAsync(link);
        var shuffled = notes.OrderBy(n => n.GetHashCode()).ToArray();
        await Task.WhenAll(shuffled.Select(n => Task.Run(() => witness.OfferCheckpointAsync(n, link))));
        Assert.Equal(relay.Size, witness.WitnessedCheckpoint!.Size);
    }
}
