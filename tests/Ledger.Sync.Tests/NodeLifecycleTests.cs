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
        var node = await World.NewNodeAsync("till-1", store);
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
        Assert.All((await relay.PushAsync(clone.Select(o => o.Bytes).ToArray())).Results, r => Assert.True(r.Held));
        await using var node = await World.NewNodeAsync("till-1");
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
        await using var node = await World.NewNodeAsync("till-1");
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

    [Fact]
    [Trait("Risk", "A1")]
    [Trait("Risk", "D3")]
    public async Task A_won_claim_a_relay_forgot_is_pushed_again_and_keeps_its_outcome()
    {
        var original = World.NewRelay();
        await using var node = await World.NewNodeAsync("till-1");
        await node.AppendAsync(TestManifest.V1, TestManifest.StockPool, new UnitsArgs(1, "last lamp"), claimKey: "sku:lamp");
        var claim = await node.AppendAsync(TestManifest.V1, TestManifest.TakeUnit, new UnitsArgs(1, "order-1"), claimKey: "sku:lamp");
        await node.SyncAsync(new InMemoryRelayTransport(original));
        await node.SyncAsync(new InMemoryRelayTransport(original));
        Assert.Equal(DurabilityRung.Won, node.DurabilityOf(claim.Op).Rung);

        // The relay is replaced by one restored from nothing: every op of this author must be sent again,
        // the claim included — a claim left out would leave a gap the relay refuses for ever.
        var restored = World.NewRelay();
        var link = new InMemoryRelayTransport(restored);
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 9));
        await node.SyncAsync(link);
        Assert.NotEqual(DurabilityRung.Won, node.DurabilityOf(claim.Op).Rung);
        await node.SyncAsync(link);
        Assert.Equal(4, restored.Size); // the inception, the pool, the claim, the tally
        Assert.Equal(0, node.Durability().Local + node.Durability().Syncing);
        Assert.Equal(DurabilityRung.Won, node.DurabilityOf(claim.Op).Rung);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task A_store_that_cannot_read_own_ops_still_pulls_keeps_them_local_and_pushes_them_once_it_can()
    {
        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay);
        await using var other = await World.NewNodeAsync("till-2");
        await other.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 7));
        await other.SyncAsync(link);

        var store = new UnreadableStore();
        await using var node = await World.NewNodeAsync("till-1", store);
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 3));
        store.FailReads = true;
        var e = await Assert.ThrowsAsync<SyncException>(() => node.SyncAsync(link));
        Assert.Contains("could not read own ops", e.Message);
        Assert.IsType<IOException>(e.InnerException);
        // Nothing of this node reached the relay and nothing is counted safe, but the other device's ops arrived.
        Assert.Equal(2, node.Durability().Local);
        Assert.Equal(0, node.Durability().Syncing);
        Assert.Equal(2, relay.Size);
        Assert.Equal((Int128)10, node.Read(k => k.State.Get(Tables.Balances, "cash")));

        store.FailReads = false;
        await node.SyncAsync(link);
        await other.SyncAsync(link);
        Assert.Equal(2, node.Durability().Durable);
        Assert.Equal(other.StateHash(), node.StateHash());
    }

    /// <summary>An in-memory store whose reads of op bytes fail on demand, like a file with a bad sector.</summary>
    private sealed class UnreadableStore() : WrappedNodeStore(new InMemoryNodeStore())
    {
        public bool FailReads { get; set; }

        public override Task<IReadOnlyList<ReadOnlyMemory<byte>>> LoadAsync(IReadOnlyList<OpRef> ops, CancellationToken cancellationToken = default) =>
            FailReads ? throw new IOException("bad sector") : base.LoadAsync(ops, cancellationToken);
    }
}
