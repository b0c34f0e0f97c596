using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>A relay position is (origin, index): a node follows one relay log, or the successor rebuilt from it.</summary>
public class RelayOriginTests
{
    private static Relay RelayNamed(string origin) => new(new RelayOptions { Ledger = World.Ledger, Origin = origin }, new InMemoryRelayStore());

    /// <summary>The origin a relay rebuilt from <paramref name="old"/>'s whole log takes.</summary>
    private static async Task<string> SuccessorName(Relay old) => RelayRebuild.SuccessorOrigin(new RelayCheckpoint(old.Origin, old.Size, await old.GetRootAsync(old.Size)));

    [Fact]
    [Trait("Risk", "A1")]
    [Trait("Risk", "G1")]
    public async Task Positions_are_origin_and_index_and_another_relay_log_is_refused_before_anything_changes()
    {
        var path = Path.Combine(World.TempDir(), "node.db");
        var a = RelayNamed("relay.example/a");
        var node = await World.NewNodeAsync("till-1", new SqliteNodeStore(path));
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 5));
        await node.SyncAsync(new InMemoryRelayTransport(a));
        Assert.Equal("relay.example/a", node.RelayOrigin);
        Assert.All(node.Ladder(), o => Assert.Equal(("relay.example/a", true), (o.Origin!, o.Position is not null)));

        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 6));
        var before = (node.StateHash(), node.Ladder(), node.Store.Cursor);
        var b = RelayNamed("relay.example/b");
        var error = await Assert.ThrowsAsync<SyncException>(() => node.SyncAsync(new InMemoryRelayTransport(b)));
        Assert.Contains("'relay.example/a'; 'relay.example/b' is another log", error.Message);
        Assert.Equal(before.Item1, node.StateHash());
        Assert.Equal(before.Item2, node.Ladder()); // the new op is still Local, not Syncing, and nothing got a position
        Assert.Equal(before.Item3, node.Store.Cursor);

        // The origin survives a restart, and the node goes on with its own relay.
        await node.DisposeAsync();
        await using var reopened = await World.ReopenAsync("till-1", new SqliteNodeStore(path));
        Assert.Equal("relay.example/a", reopened.RelayOrigin);
        await reopened.SyncAsync(new InMemoryRelayTransport(a));
        Assert.Equal(0, reopened.Durability().Local);
    }

    [Fact]
    [Trait("Risk", "A2")]
    public async Task A_relay_rebuilt_from_the_devices_is_followed_as_the_successor_of_the_log_the_node_knew()
    {
        var old = RelayNamed("relay.example/a");
        await using var node = await World.NewNodeAsync("till-1");
        await using var other = await World.NewNodeAsync("till-2");
        for (var i = 0; i < 3; i++)
        {
            await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
            await other.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 10 * i));
        }

        await node.SyncAsync(new InMemoryRelayTransport(old));
        await other.SyncAsync(new InMemoryRelayTransport(old));
        await node.SyncAsync(new InMemoryRelayTransport(old));

        // The relay's disk is lost; it is rebuilt from the two devices under its successor origin.
        var successor = RelayNamed(await SuccessorName(old));
        Assert.True((await RelayRebuild.RunAsync([node.Store, other.Store], successor)).Complete);

        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 100));
        await node.SyncAsync(new InMemoryRelayTransport(successor));
        Assert.Equal(successor.Origin, node.RelayOrigin);
        Assert.Equal(0, node.Durability().Local);
        Assert.Equal(old.Size + 1, successor.Size);

        // A relay claiming to succeed another log is not a successor of this one.
        var impostor = RelayNamed("relay.example/z/after-" + old.Size + "-0011223344556677");
        await Assert.ThrowsAsync<SyncException>(() => other.SyncAsync(new InMemoryRelayTransport(impostor)));
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task A_node_imported_from_an_export_pins_only_a_relay_that_holds_its_positions()
    {
        var home = RelayNamed("relay.example/home");
        var node = await World.NewNodeAsync("till-1");
        await using var other = await World.NewNodeAsync("till-2");
        await other.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 2));
        await other.SyncAsync(new InMemoryRelayTransport(home));
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        await node.SyncAsync(new InMemoryRelayTransport(home));
        var export = (await node.ExportAsync());
        await node.DisposeAsync();

        // Export v1 carries positions but no origin: the restored node pins nothing until a relay proves it holds them.
        await using var restored = await DeviceNode.ImportAsync(World.Options(), new InMemoryNodeStore(), export, World.Key("till-1", 0));
        Assert.Null(restored.RelayOrigin);
        var stranger = RelayNamed("relay.example/stranger");
        await stranger.PushAsync(World.Chain("till-9", 3).Select(o => o.Bytes).ToArray());
        var error = await Assert.ThrowsAsync<SyncException>(() => restored.SyncAsync(new InMemoryRelayTransport(stranger)));
        Assert.Contains("another op at position 0", error.Message);
        Assert.Null(restored.RelayOrigin);

        await restored.SyncAsync(new InMemoryRelayTransport(home));
        Assert.Equal("relay.example/home", restored.RelayOrigin);
    }

    [Fact]
    [Trait("Risk", "A2")]
    public async Task A_successor_whose_positions_differ_from_what_the_node_holds_is_refused()
    {
        var old = RelayNamed("relay.example/a");
        await using var node = await World.NewNodeAsync("till-1");
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        await node.SyncAsync(new InMemoryRelayTransport(old));

        // A "successor" that carries the right name but another order (here: someone else's ops first).
        var renumbered = RelayNamed(await SuccessorName(old));
        await renumbered.PushAsync(World.Chain("till-7", 1).Select(o => o.Bytes).ToArray());
        var error = await Assert.ThrowsAsync<SyncException>(() => node.SyncAsync(new InMemoryRelayTransport(renumbered)));
        Assert.Contains("another op at position 0", error.Message);
        Assert.Equal(old.Origin, node.RelayOrigin);
    }

    [Fact]
    [Trait("Risk", "A2")]
    [Trait("Risk", "D4")]
    public async Task A_successor_committing_to_less_than_the_node_witnessed_is_refused()
    {
        var key = World.Key("relay", 0);
        var old = new Relay(new RelayOptions { Ledger = World.Ledger, Origin = "relay.example/a", CheckpointKey = key }, new InMemoryRelayStore());
        var options = World.Options();
        options.TrustedRelay = NoteKey.Create("relay.example/a", key.Public);
        await using var node = (await DeviceNode.InceptAsync(options, new InMemoryNodeStore(), World.Key("till-1", 0), "till-1", World.Key("till-1", 1).Public.Digest));
        for (var i = 0; i < 3; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
        await node.SyncAsync(new InMemoryRelayTransport(old));
        Assert.Equal(4, node.WitnessedCheckpoint!.Size);

        var shorter = RelayNamed(RelayRebuild.SuccessorOrigin(new RelayCheckpoint(old.Origin, 2, (await old.GetRootAsync(2)))));
        var error = await Assert.ThrowsAsync<SyncException>(() => node.SyncAsync(new InMemoryRelayTransport(shorter)));
        Assert.Contains("rebuilt from 2 ops", error.Message);
        Assert.Equal(old.Origin, node.RelayOrigin);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task A_relay_lost_while_its_log_is_checked_leaves_the_pushed_ops_local_and_reports_offline()
    {
        var old = RelayNamed("relay.example/a");
        await using var node = await World.NewNodeAsync("till-1");
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        await node.SyncAsync(new InMemoryRelayTransport(old));
        var successor = RelayNamed(await SuccessorName(old));
        Assert.True((await RelayRebuild.RunAsync([node.Store], successor)).Complete);
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 2));

        var result = await node.SyncAsync(new PushOnly(new InMemoryRelayTransport(successor))); // the check's read is lost
        Assert.True(result.Offline);
        Assert.Equal(1, node.Durability().Local);
        Assert.Equal(0, node.Durability().Syncing);
        Assert.Equal(old.Origin, node.RelayOrigin);
    }
}
