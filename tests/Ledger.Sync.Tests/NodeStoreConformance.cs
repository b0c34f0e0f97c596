using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.Tests;

/// <summary>The conformance suite every node store passes.</summary>
public abstract class NodeStoreConformance
{
    protected abstract INodeStore Create(long? capBytes = null);

    [Fact]
    [Trait("Risk", "A1")]
    public void Ops_come_back_in_the_order_applied_with_positions_cursor_and_refusals()
    {
        using var store = Create();
        var own = World.Chain("me", 3);
        var other = World.Chain("other", 1);
        store.Append(own.Take(2).Select(o => new NodeOpRecord(o.Ref, o.Bytes, true, null)).ToArray());
        store.Append(other.Select((o, i) => new NodeOpRecord(o.Ref, o.Bytes, false, 10 + i)).ToArray(), cursor: 12);
        store.Append([new NodeOpRecord(own[2].Ref, own[2].Bytes, true, null)]);
        store.SetPositions([(own[0].Ref, 7), (own[1].Ref, 8)]);
        store.MarkRefused(own[2].Ref, "Fork");
        var all = store.LoadAll();
        Assert.Equal([own[0].Ref, own[1].Ref, other[0].Ref, other[1].Ref, own[2].Ref], all.Select(r => r.Op));
        Assert.Equal([7L, 8L, 10L, 11L, null], all.Select(r => r.Position));
        Assert.Equal("Fork", all[^1].RefusedBy);
        Assert.Equal(12, store.Cursor);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public void The_relay_log_the_positions_refer_to_is_unset_until_a_relay_names_itself_then_kept()
    {
        using var store = Create();
        Assert.Null(store.RelayOrigin);
        store.SetRelayOrigin("relay.example/a");
        Assert.Equal("relay.example/a", store.RelayOrigin);
        store.SetRelayOrigin("relay.example/a/after-7-0011223344556677");
        Assert.Equal("relay.example/a/after-7-0011223344556677", store.RelayOrigin);
        Assert.Throws<ArgumentException>(() => store.SetRelayOrigin(""));
    }

    [Fact]
    [Trait("Risk", "B3")]
    public void A_write_over_the_cap_is_refused_loudly_and_nothing_stored_is_lost()
    {
        using var store = Create(capBytes: 96 * 1024);
        var own = World.Chain("me", 2);
        store.Append(own.Select(o => new NodeOpRecord(o.Ref, o.Bytes, true, null)).ToArray(), cursor: 3);
        var big = World.Chain("big", 400);
        var e = Assert.Throws<StorageFullException>(() => store.Append(big.Select((o, i) => new NodeOpRecord(o.Ref, o.Bytes, false, i)).ToArray(), cursor: 500));
        Assert.Contains("Make room", e.Message);
        Assert.Equal(own.Select(o => o.Ref), store.LoadAll().Select(r => r.Op));
        Assert.Equal(3, store.Cursor);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public void Ops_bytes_load_by_ref_in_the_order_asked_and_a_missing_op_is_named()
    {
        using var store = Create();
        var own = World.Chain("me", 3);
        var other = World.Chain("other", 2);
        store.Append(own.Select(o => new NodeOpRecord(o.Ref, o.Bytes, true, null)).ToArray());
        store.Append(other.Select((o, i) => new NodeOpRecord(o.Ref, o.Bytes, false, i)).ToArray(), cursor: 2);
        store.MarkRefused(own[1].Ref, "Fork");
        var loaded = store.Load([own[2].Ref, other[0].Ref, own[1].Ref]);
        Assert.Equal([own[2].Bytes.ToArray(), other[0].Bytes.ToArray(), own[1].Bytes.ToArray()], loaded.Select(b => b.ToArray()));
        var missing = new OpRef(own[0].Op.Author, 9);
        var e = Assert.Throws<KeyNotFoundException>(() => store.Load([own[0].Ref, missing]));
        Assert.Contains(missing.ToString(), e.Message);
        Assert.Empty(store.Load([]));
    }

    [Fact]
    public void A_duplicate_op_is_rejected_whole()
    {
        using var store = Create();
        var own = World.Chain("me", 2);
        store.Append([new NodeOpRecord(own[0].Ref, own[0].Bytes, true, null)]);
        Assert.ThrowsAny<Exception>(() => store.Append(own.Select(o => new NodeOpRecord(o.Ref, o.Bytes, true, null)).ToArray()));
        Assert.Single(store.LoadAll());
    }
}

public sealed class InMemoryNodeStoreConformance : NodeStoreConformance
{
    protected override INodeStore Create(long? capBytes = null) => new InMemoryNodeStore(capBytes);
}

public sealed class SqliteNodeStoreConformance : NodeStoreConformance
{
    protected override INodeStore Create(long? capBytes = null) => new SqliteNodeStore(Path.Combine(World.TempDir(), "node.db"), capBytes);
}
