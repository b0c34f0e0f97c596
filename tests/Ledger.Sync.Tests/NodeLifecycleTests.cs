using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>Edges of a node's life: closing, refusals it cannot fix by resending, a relay that forgot.</summary>
public class NodeLifecycleTests
{
    [Fact]
    [Trait("Risk", "A1")]
    public async Task Appending_to_a_disposed_node_throws_at_once_and_signs_nothing()
    {
        var store = new InMemoryNodeStore();
        var node = World.NewNode("till-1", store);
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        await node.DisposeAsync();
        var append = node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 2));
        // Never a task that hangs forever: the call fails before signing.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => append);
    }

    [Fact]
    [Trait("Risk", "A1")]
    [Trait("Risk", "D4")]
    public async Task A_critical_op_the_relay_refuses_for_good_faults_its_done_task_with_the_reason()
    {
        var relay = World.NewRelay();
        // Another device with the same keys already put a different history of this author on the relay.
        var clone = World.Chain("till-1", 2);
        Assert.All(relay.Ingest(clone.Select(o => o.Bytes).ToArray()).Results, r => Assert.True(r.Held));
        await using var node = World.NewNode("till-1");
        var receipt = await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 5), critical: true);
        // The push is refused as a fork; the pull then finds ops of this author it did not sign and stops loudly.
        var sync = await Assert.ThrowsAsync<SyncException>(() => node.SyncAsync(new InMemoryRelayTransport(relay)));
        Assert.Contains("recover the author", sync.Message);
        var error = await Assert.ThrowsAsync<OpRefusedException>(() => receipt.Done);
        Assert.Equal(receipt.Op, error.Op);
        Assert.Contains("Fork", error.Reason);
        Assert.Equal(DurabilityRung.Refused, node.DurabilityOf(receipt.Op).Rung);
    }

    [Fact]
    [Trait("Risk", "A1")]
    [Trait("Risk", "A2")]
    public async Task Ops_a_relay_forgot_leave_the_durable_rung_and_are_pushed_again()
    {
        var original = World.NewRelay();
        await using var node = World.NewNode("till-1");
        for (var i = 0; i < 5; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
        await node.SyncAsync(new InMemoryRelayTransport(original));
        Assert.Equal(6, node.Durability().Durable);

        // The relay is replaced by one restored from nothing: it answers the next op with "send from seq 1".
        var restored = World.NewRelay();
        var link = new InMemoryRelayTransport(restored);
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 9));
        await node.SyncAsync(link);
        Assert.True(node.Durability().Durable < 6, "ops the relay no longer holds must not be counted durable");
        await node.SyncAsync(link);
        Assert.Equal(7, restored.Size);
        Assert.Equal(0, node.Durability().Local);
        Assert.Equal(7, node.Durability().Durable);
    }
}
