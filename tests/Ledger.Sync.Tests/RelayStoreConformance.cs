using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Sync.Tests;

/// <summary>The conformance suite every relay store passes (in memory, SQLite; PostgreSQL joins later).</summary>
public abstract class RelayStoreConformance
{
    protected abstract IRelayStore Create(long? capBytes = null);

    private static IReadOnlyList<StoredOp> Stored(IReadOnlyList<SignedOp> ops, long from) =>
        ops.Select((o, i) => new StoredOp(from + i, o.Op.Author, o.Op.Seq, o.ChainHash, o.Bytes, KeyEvents.IsKeyEvent(o.Op))).ToArray();

    [Fact]
    [Trait("Risk", "G1")]
    public void Appends_are_read_back_in_order_with_tips_and_key_events()
    {
        using var store = Create();
        var a = World.Chain("a", 3);
        var b = World.Chain("b", 2);
        store.Append(Stored(a, 0));
        store.Append(Stored(b, a.Count));
        Assert.Equal(a.Count + b.Count, store.Count);
        Assert.True(store.TryGetTip(a[0].Op.Author, out var seq, out var tip));
        Assert.Equal((4UL, a[^1].ChainHash), (seq, tip));
        Assert.False(store.TryGetTip(new AuthorId("nobody"), out _, out _));
        Assert.Equal(a[2].Bytes.ToArray(), store.Find(a[0].Op.Author, 3)!.Bytes.ToArray());
        Assert.Equal([1UL], store.KeyEvents(b[0].Op.Author).Select(k => k.Seq));
        Assert.Equal([2L, 3L], store.Read(2, 2).Select(o => o.Position));
        Assert.Equal(b.Select(o => o.ChainHash), store.ReadAuthor(b[0].Op.Author, 1, 10).Select(o => o.Hash));
        Assert.Empty(store.Read(100, 5));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public void An_append_with_a_wrong_position_or_a_taken_seq_stores_nothing()
    {
        using var store = Create();
        var a = World.Chain("a", 3);
        store.Append(Stored(a.Take(2).ToArray(), 0));
        Assert.ThrowsAny<Exception>(() => store.Append(Stored(a.Skip(2).ToArray(), 5)));
        Assert.ThrowsAny<Exception>(() => store.Append(Stored([a[2], a[1]], 2)));
        Assert.Equal(2, store.Count);
        Assert.Null(store.Find(a[0].Op.Author, 3));
    }

    [Fact]
    [Trait("Risk", "B3")]
    public void A_batch_over_the_cap_is_refused_loudly_and_the_store_stays_intact()
    {
        using var store = Create(capBytes: 96 * 1024);
        var a = World.Chain("cap", 2);
        store.Append(Stored(a, 0));
        var big = World.Chain("big", 400);
        var e = Assert.Throws<StorageFullException>(() => store.Append(Stored(big, a.Count)));
        Assert.Contains("Nothing was written", e.Message);
        Assert.Equal(a.Count, store.Count);
        Assert.Equal(a.Select(o => o.ChainHash), store.Read(0, 10).Select(o => o.Hash));
        // Something small still fits after the refusal.
        store.Append(Stored(World.Chain("small", 1), a.Count));
        Assert.Equal(a.Count + 2, store.Count);
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Evidence_is_kept_and_never_dropped()
    {
        using var store = Create();
        store.AddEvidence("client-fork", "x", new byte[] { 1, 2, 3 });
        store.AddEvidence("stale-key", "y", new byte[] { 4 });
        Assert.Equal(["client-fork", "stale-key"], store.Evidence().Select(e => e.Kind));
    }

    [Fact]
    [Trait("Risk", "B3")]
    [Trait("Risk", "D4")]
    public void Evidence_over_the_cap_fails_as_storage_full_and_keeps_what_was_kept()
    {
        using var store = Create(capBytes: 96 * 1024);
        store.AddEvidence("client-fork", "x", new byte[] { 1, 2, 3 });
        Assert.Throws<StorageFullException>(() => store.AddEvidence("client-fork", "y", new byte[200 * 1024]));
        Assert.Equal(["x"], store.Evidence().Select(e => e.Accused));
    }
}

public sealed class InMemoryRelayStoreConformance : RelayStoreConformance
{
    protected override IRelayStore Create(long? capBytes = null) => new InMemoryRelayStore(capBytes);
}

public sealed class SqliteRelayStoreConformance : RelayStoreConformance
{
    protected override IRelayStore Create(long? capBytes = null) => new SqliteRelayStore(Path.Combine(World.TempDir(), "relay.db"), capBytes);

    [Fact]
    [Trait("Risk", "G1")]
    public void A_reopened_sqlite_relay_store_holds_everything_committed()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        var a = World.Chain("a", 5);
        using (var store = new SqliteRelayStore(path))
        {
            store.Append(a.Select((o, i) => new StoredOp(i, o.Op.Author, o.Op.Seq, o.ChainHash, o.Bytes, KeyEvents.IsKeyEvent(o.Op))).ToArray());
        }

        using var reopened = new SqliteRelayStore(path);
        Assert.Equal(a.Count, reopened.Count);
        Assert.Equal(a.Select(o => o.ChainHash), reopened.Read(0, 100).Select(o => o.Hash));
    }
}
