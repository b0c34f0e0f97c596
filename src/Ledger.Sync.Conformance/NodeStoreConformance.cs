using Ledger.Kernel;
using Xunit;

namespace Ledger.Sync.Conformance;

/// <summary>The contract of <see cref="INodeStore"/>, as xunit facts: derive it in a test project, return a new,
/// empty store from <see cref="Create"/>, and every fact runs against your store (the way Akka.Persistence's TCK
/// works). Override <see cref="Reopen"/> for a store that persists, to prove what it committed survives.</summary>
public abstract class NodeStoreConformance
{
    /// <summary>A new, empty store with the given cap.</summary>
    protected abstract INodeStore Create(long? capBytes = null);

    /// <summary>The same store opened again after <paramref name="closed"/> was disposed; null (the default) for a
    /// store that does not persist.</summary>
    protected virtual INodeStore? Reopen(INodeStore closed) => null;

    /// <summary>Appends, acknowledgements, refusals and the cursor read back in the order applied.</summary>
    [Fact]
    public async Task Ops_come_back_in_the_order_applied_with_positions_cursor_and_refusals()
    {
        using var store = Create();
        var own = ConformanceOps.Chain("me", 2);
        var other = ConformanceOps.Chain("other", 1);
        Assert.True(await store.IsEmptyAsync());
        await store.AppendAsync(ConformanceOps.Records(own.Take(2), own: true));
        Assert.False(await store.IsEmptyAsync());
        await store.AppendAsync(ConformanceOps.Records(other, own: false, firstPosition: 10), cursor: 12);
        await store.AppendAsync(ConformanceOps.Records([own[2]], own: true));
        await store.SetPositionsAsync([(own[0].Ref, 7), (own[1].Ref, 8)]);
        await store.MarkRefusedAsync(own[2].Ref, "Fork");
        var all = await ReadAll(store);
        Assert.Equal([own[0].Ref, own[1].Ref, other[0].Ref, other[1].Ref, own[2].Ref], all.Select(r => r.Op));
        Assert.Equal([7L, 8L, 10L, 11L, null], all.Select(r => r.Position));
        Assert.Equal([true, true, false, false, true], all.Select(r => r.Own));
        Assert.Equal("Fork", all[^1].RefusedBy);
        Assert.Equal(own[1].Bytes.ToArray(), all[1].Bytes.ToArray());
        Assert.Equal(12, store.Cursor);
    }

    /// <summary>Reads are paged underneath; across pages the order is still the order applied, every op once.</summary>
    [Fact]
    public async Task Thousands_of_ops_read_back_page_after_page_in_order_each_once()
    {
        using var store = Create();
        var chain = ConformanceOps.Chain("long", 5000);
        foreach (var batch in chain.Chunk(700)) await store.AppendAsync(ConformanceOps.Records(batch, own: true));
        var all = await ReadAll(store);
        Assert.Equal(chain.Select(o => o.Ref), all.Select(r => r.Op));
    }

    /// <summary>The relay origin is unset until a relay names itself, then kept.</summary>
    [Fact]
    public async Task The_relay_log_the_positions_refer_to_is_unset_until_a_relay_names_itself_then_kept()
    {
        using var store = Create();
        Assert.Null(store.RelayOrigin);
        await store.SetRelayOriginAsync("relay.example/a");
        Assert.Equal("relay.example/a", store.RelayOrigin);
        await store.SetRelayOriginAsync("relay.example/a/after-7-0011223344556677");
        Assert.Equal("relay.example/a/after-7-0011223344556677", store.RelayOrigin);
        await Assert.ThrowsAsync<ArgumentException>(() => store.SetRelayOriginAsync(""));
    }

    /// <summary>A write over the cap throws <see cref="StorageFullException"/> and changes nothing.</summary>
    [Fact]
    public async Task A_write_over_the_cap_is_refused_loudly_and_nothing_stored_is_lost()
    {
        using var store = Create(capBytes: 96 * 1024);
        var own = ConformanceOps.Chain("me", 1);
        await store.AppendAsync(ConformanceOps.Records(own, own: true), cursor: 3);
        var big = ConformanceOps.Chain("big", 400);
        var e = await Assert.ThrowsAsync<StorageFullException>(() => store.AppendAsync(ConformanceOps.Records(big, own: false, firstPosition: 0), cursor: 500));
        Assert.Contains("Make room", e.Message, StringComparison.Ordinal);
        Assert.Equal(own.Select(o => o.Ref), (await ReadAll(store)).Select(r => r.Op));
        Assert.Equal(3, store.Cursor);
    }

    /// <summary>Bytes load by ref in the order asked; a missing op is named.</summary>
    [Fact]
    public async Task Ops_bytes_load_by_ref_in_the_order_asked_and_a_missing_op_is_named()
    {
        using var store = Create();
        var own = ConformanceOps.Chain("me", 2);
        var other = ConformanceOps.Chain("other", 1);
        await store.AppendAsync(ConformanceOps.Records(own, own: true));
        await store.AppendAsync(ConformanceOps.Records(other, own: false, firstPosition: 0), cursor: 2);
        await store.MarkRefusedAsync(own[1].Ref, "Fork");
        var loaded = await store.LoadAsync([own[2].Ref, other[0].Ref, own[1].Ref]);
        Assert.Equal([own[2].Bytes.ToArray(), other[0].Bytes.ToArray(), own[1].Bytes.ToArray()], loaded.Select(b => b.ToArray()));
        var missing = new OpRef(own[0].Op.Author, 9);
        var e = await Assert.ThrowsAsync<KeyNotFoundException>(() => store.LoadAsync([own[0].Ref, missing]));
        Assert.Contains(missing.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Empty(await store.LoadAsync([]));
    }

    /// <summary>A batch holding an op already stored is refused whole.</summary>
    [Fact]
    public async Task A_duplicate_op_is_rejected_whole()
    {
        using var store = Create();
        var own = ConformanceOps.Chain("me", 1);
        await store.AppendAsync(ConformanceOps.Records([own[0]], own: true));
        await Assert.ThrowsAnyAsync<Exception>(() => store.AppendAsync(ConformanceOps.Records(own, own: true)));
        Assert.Single(await ReadAll(store));
    }

    /// <summary>Witnessed checkpoints are replaced per origin; evidence is kept in order.</summary>
    [Fact]
    public async Task Witnesses_are_kept_per_origin_and_evidence_in_order()
    {
        using var store = Create();
        await store.SaveWitnessAsync("relay/a", new byte[] { 1 });
        await store.SaveWitnessAsync("relay/b", new byte[] { 2 });
        await store.SaveWitnessAsync("relay/a", new byte[] { 3 });
        var witnesses = await store.LoadWitnessesAsync();
        Assert.Equal([3], witnesses["relay/a"]);
        Assert.Equal([2], witnesses["relay/b"]);
        await store.AddEvidenceAsync("client-fork", "x", new byte[] { 1, 2, 3 });
        await store.AddEvidenceAsync("stale-key", "y", new byte[] { 4 });
        Assert.Equal(["client-fork", "stale-key"], (await store.ReadEvidenceAsync()).Select(e => e.Kind));
    }

    /// <summary>What a persistent store committed is there after it is reopened.</summary>
    [Fact]
    public async Task A_reopened_store_holds_everything_committed()
    {
        var store = Create();
        var own = ConformanceOps.Chain("me", 2);
        await store.AppendAsync(ConformanceOps.Records(own, own: true), cursor: 4);
        await store.SetPositionsAsync([(own[0].Ref, 0)]);
        await store.SetRelayOriginAsync("relay.example/a");
        await store.SaveWitnessAsync("relay.example/a", new byte[] { 9 });
        store.Dispose();
        using var reopened = Reopen(store);
        if (reopened is null) return;
        Assert.Equal(own.Select(o => o.Ref), (await ReadAll(reopened)).Select(r => r.Op));
        Assert.Equal(0L, (await ReadAll(reopened))[0].Position);
        Assert.Equal(4, reopened.Cursor);
        Assert.Equal("relay.example/a", reopened.RelayOrigin);
        Assert.Equal([9], (await reopened.LoadWitnessesAsync())["relay.example/a"]);
    }

    private static async Task<List<NodeOpRecord>> ReadAll(INodeStore store)
    {
        var all = new List<NodeOpRecord>();
        await foreach (var record in store.ReadAllAsync()) all.Add(record);
        return all;
    }
}
