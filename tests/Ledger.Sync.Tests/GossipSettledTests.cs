using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>A node checks each cosigned note a relay gossips once, not once a round: the relay serves its newest
/// notes (up to 1,024) on every request, and every check is an Ed25519 verification. Found by the fleet tool, where
/// three observer nodes syncing after every push spent ~1.5 of the two cores re-checking the same notes.</summary>
public class GossipSettledTests
{
    private const string Origin = "relay.example/gossip-settled";

    private static SigningKey RelayKey => World.Key("relay", 0);

    private static Task<DeviceNode> NodeAsync(string label)
    {
        var options = World.Options();
        options.TrustedRelay = NoteKey.Create(Origin, RelayKey.Public);
        return DeviceNode.InceptAsync(options, new InMemoryNodeStore(), World.Key(label, 0), label, World.Key(label, 1).Public.Digest);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_node_checks_each_gossiped_note_once_however_many_rounds_the_relay_serves_it_again()
    {
        var relay = new Relay(new RelayOptions { Ledger = World.Ledger, Origin = Origin, CheckpointKey = RelayKey }, new InMemoryRelayStore());
        var link = new InMemoryRelayTransport(relay);
        var nodes = new[] { await NodeAsync("till-0"), await NodeAsync("till-1"), await NodeAsync("till-2") };
        for (var round = 0; round < 8; round++)
        {
            foreach (var node in nodes)
            {
                await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", round + 1));
                await node.SyncAsync(link);
            }
        }

        foreach (var node in nodes) await node.SyncAsync(link);
        var served = (await relay.GetCosignaturesAsync()).Count;
        Assert.True(served >= 24, $"the relay serves {served} cosigned notes; the test needs many");

        // Quiet rounds: each node posts its own cosignature and reads every note back; only the notes new since its
        // last round (its own and the others' latest) are checked, not the whole list again.
        var seen = new int[nodes.Length];
        Array.Fill(seen, served);
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < nodes.Length; i++)
            {
                var checks = nodes[i].GossipChecks;
                await nodes[i].SyncAsync(link);
                var after = (await relay.GetCosignaturesAsync()).Count;
                Assert.True(nodes[i].GossipChecks - checks <= after - seen[i] + nodes.Length,
                    $"{nodes[i].GossipChecks - checks} notes checked in a round where {after - seen[i]} were new of the {after} served");
                seen[i] = after;
            }
        }

        // And the node still believes what it checked: no evidence, one state, one witnessed root.
        foreach (var node in nodes) Assert.Empty(await node.GetEvidenceAsync());
        Assert.Single(nodes.Select(n => n.StateHash()).Distinct());
        Assert.Single(nodes.Select(n => n.WitnessedCheckpoint!.Root).Distinct());
        foreach (var node in nodes) await node.DisposeAsync();
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_quiet_node_cosigns_its_witnessed_checkpoint_once_not_once_a_round_and_again_when_it_moves()
    {
        var relay = new Relay(new RelayOptions { Ledger = World.Ledger, Origin = Origin, CheckpointKey = RelayKey }, new InMemoryRelayStore());
        var link = new InMemoryRelayTransport(relay);
        await using var node = await NodeAsync("till-q");
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        await node.SyncAsync(link);
        await node.SyncAsync(link);
        var posted = (await relay.GetCosignaturesAsync()).Count;
        Assert.True(posted >= 1, "the node cosigned what it witnessed");

        // Nothing moves: five more rounds add no note to the relay's list.
        for (var round = 0; round < 5; round++) await node.SyncAsync(link);
        Assert.Equal(posted, (await relay.GetCosignaturesAsync()).Count);

        // The log grows: the new checkpoint is cosigned once.
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 2));
        await node.SyncAsync(link);
        await node.SyncAsync(link);
        await node.SyncAsync(link);
        var grown = await relay.GetCosignaturesAsync();
        Assert.Equal(posted + 1, grown.Count);
        Assert.Equal(node.WitnessedCheckpoint!.Size, RelayCheckpoint.Open(grown[^1], NoteKey.Create(Origin, RelayKey.Public)).Checkpoint.Size);
    }
}
