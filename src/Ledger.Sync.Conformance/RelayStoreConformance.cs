using Ledger.Kernel;
using Ledger.Signing;
using Xunit;

namespace Ledger.Sync.Conformance;

/// <summary>The contract of <see cref="IRelayStore"/>, as xunit facts: derive it in a test project and return a
/// new, empty store from <see cref="Create"/>. Override <see cref="Reopen"/> for a store that persists.</summary>
public abstract class RelayStoreConformance
{
    /// <summary>A new, empty store with the given cap.</summary>
    protected abstract IRelayStore Create(long? capBytes = null);

    /// <summary>The same store opened again after <paramref name="closed"/> was disposed; null (the default) for a
    /// store that does not persist.</summary>
    protected virtual IRelayStore? Reopen(IRelayStore closed) => null;

    /// <summary>Appends read back in order, with tips, key events, author reads and paged reads.</summary>
    [Fact]
    public async Task Appends_are_read_back_in_order_with_tips_and_key_events()
    {
        using var store = Create();
        var a = ConformanceOps.Chain("a", 3);
        var b = ConformanceOps.Chain("b", 2);
        await store.AppendAsync(ConformanceOps.Stored(a, 0));
        await store.AppendAsync(ConformanceOps.Stored(b, a.Count));
        Assert.Equal(a.Count + b.Count, store.Count);
        Assert.Equal((4UL, a[^1].ChainHash), await store.GetTipAsync(a[0].Op.Author));
        Assert.Null(await store.GetTipAsync(new AuthorId("nobody")));
        Assert.Equal(a[2].Bytes.ToArray(), (await store.FindAsync(a[0].Op.Author, 3))!.Bytes.ToArray());
        Assert.Null(await store.FindAsync(a[0].Op.Author, 9));
        Assert.Equal([1UL], (await store.ReadKeyEventsAsync(b[0].Op.Author)).Select(k => k.Seq));
        Assert.Equal([2L, 3L], (await store.ReadAsync(2, 2)).Select(o => o.Position));
        Assert.Equal(b.Select(o => o.ChainHash), (await store.ReadAuthorAsync(b[0].Op.Author, 1, 10)).Select(o => o.Hash));
        Assert.Equal([2UL], (await store.ReadAuthorAsync(b[0].Op.Author, 2, 1)).Select(o => o.Seq));
        Assert.Empty(await store.ReadAsync(100, 5));
        var stored = await store.ReadAsync(0, 100);
        Assert.Equal(a.Concat(b).Select(o => o.Bytes.ToArray()), stored.Select(o => o.Bytes.ToArray()));
        Assert.Equal(a.Concat(b).Select(o => KeyEvents.IsKeyEvent(o.Op)), stored.Select(o => o.IsKeyEvent));
    }

    /// <summary>A batch at a wrong position or with a taken (author, seq) stores nothing.</summary>
    [Fact]
    public async Task An_append_with_a_wrong_position_or_a_taken_seq_stores_nothing()
    {
        using var store = Create();
        var a = ConformanceOps.Chain("a", 2);
        await store.AppendAsync(ConformanceOps.Stored(a.Take(2).ToArray(), 0));
        await Assert.ThrowsAnyAsync<Exception>(() => store.AppendAsync(ConformanceOps.Stored(a.Skip(2).ToArray(), 5)));
        await Assert.ThrowsAnyAsync<Exception>(() => store.AppendAsync(ConformanceOps.Stored([a[2], a[1]], 2)));
        Assert.Equal(2, store.Count);
        Assert.Null(await store.FindAsync(a[0].Op.Author, 3));
    }

    /// <summary>A batch over the cap throws <see cref="StorageFullException"/>; the store stays intact and usable.</summary>
    [Fact]
    public async Task A_batch_over_the_cap_is_refused_loudly_and_the_store_stays_intact()
    {
        using var store = Create(capBytes: 96 * 1024);
        var a = ConformanceOps.Chain("cap", 1);
        await store.AppendAsync(ConformanceOps.Stored(a, 0));
        var big = ConformanceOps.Chain("big", 400);
        var e = await Assert.ThrowsAsync<StorageFullException>(() => store.AppendAsync(ConformanceOps.Stored(big, a.Count)));
        Assert.Contains("Nothing was written", e.Message, StringComparison.Ordinal);
        Assert.Equal(a.Count, store.Count);
        Assert.Equal(a.Select(o => o.ChainHash), (await store.ReadAsync(0, 10)).Select(o => o.Hash));
        await store.AppendAsync(ConformanceOps.Stored(ConformanceOps.Chain("small", 0), a.Count));
        Assert.Equal(a.Count + 1, store.Count);
    }

    /// <summary>Evidence is kept in order; over the cap it fails loudly and keeps what was kept.</summary>
    [Fact]
    public async Task Evidence_is_kept_in_order_and_over_the_cap_fails_as_storage_full()
    {
        using var store = Create(capBytes: 96 * 1024);
        await store.AddEvidenceAsync("client-fork", "x", new byte[] { 1, 2, 3 });
        await store.AddEvidenceAsync("stale-key", "y", new byte[] { 4 });
        await Assert.ThrowsAsync<StorageFullException>(() => store.AddEvidenceAsync("client-fork", "z", new byte[200 * 1024]));
        Assert.Equal(["x", "y"], (await store.ReadEvidenceAsync()).Select(e => e.Accused));
    }

    /// <summary>Cosignatures are kept; a read returns the newest, oldest first.</summary>
    [Fact]
    public async Task Cosignatures_are_kept_and_the_newest_are_read_oldest_first()
    {
        using var store = Create();
        Assert.Empty(await store.ReadCosignaturesAsync(10));
        for (byte i = 1; i <= 5; i++) await store.AddCosignatureAsync(new[] { i });
        Assert.Equal([[3], [4], [5]], await store.ReadCosignaturesAsync(3));
        Assert.Equal(5, (await store.ReadCosignaturesAsync(100)).Count);
    }

    /// <summary>Reads between adds, asking for the same number each time as a relay does on every sync round (a store
    /// may answer those from memory): each returns the newest of everything added, oldest first, as a reopened store
    /// would; a read of none returns none, a note added while a full list is held pushes out the oldest, and what a
    /// caller does to a returned list does not change the next one.</summary>
    [Fact]
    public async Task Reads_between_adds_return_the_newest_notes_each_time()
    {
        var store = Create();
        var added = new List<byte[]>();
        Assert.Empty(await store.ReadCosignaturesAsync(4));
        for (byte i = 1; i <= 9; i++)
        {
            await store.AddCosignatureAsync(new[] { i, i });
            added.Add([i, i]);
            var read = await store.ReadCosignaturesAsync(4);
            Assert.Equal(added.TakeLast(4), read);
            if (read is byte[][] { Length: > 0 } array) array[0] = [0];
            Assert.Equal(added.TakeLast(4), await store.ReadCosignaturesAsync(4));
            if (i % 3 != 0) continue;
            Assert.Empty(await store.ReadCosignaturesAsync(0));
            Assert.Equal(added.TakeLast(2), await store.ReadCosignaturesAsync(2));
            Assert.Equal(added.TakeLast(4), await store.ReadCosignaturesAsync(4));
        }

        Assert.Equal(added.TakeLast(4), await store.ReadCosignaturesAsync(4));
        store.Dispose();
        using var reopened = Reopen(store);
        if (reopened is null) return;
        Assert.Equal(added.TakeLast(4), await reopened.ReadCosignaturesAsync(4));
    }

    /// <summary>Trimming keeps the newest notes and drops the rest (a relay trims to the notes it serves as witnesses post
    /// more); reads agree with what is left, the dropped notes' room is used again, and a reopened store holds only what
    /// was kept.</summary>
    [Fact]
    public async Task Trimming_keeps_the_newest_notes_and_their_room_is_used_again()
    {
        var store = Create();
        Assert.Empty(await store.ReadCosignaturesAsync(4));
        for (byte i = 1; i <= 10; i++) await store.AddCosignatureAsync(new byte[200]);
        for (byte i = 11; i <= 14; i++) await store.AddCosignatureAsync(new[] { i });
        var full = store.SizeBytes;
        await store.TrimCosignaturesAsync(100);
        Assert.Equal(14, (await store.ReadCosignaturesAsync(100)).Count);
        await store.TrimCosignaturesAsync(4);
        Assert.Equal([[11], [12], [13], [14]], await store.ReadCosignaturesAsync(4));
        Assert.Equal([[11], [12], [13], [14]], await store.ReadCosignaturesAsync(100));
        // The room of the dropped notes is used again (a file keeps its freed pages for later rows).
        for (byte i = 1; i <= 10; i++) await store.AddCosignatureAsync(new byte[200]);
        Assert.True(store.SizeBytes <= full, $"the store grew from {full} to {store.SizeBytes} bytes holding the notes it held before the trim.");
        await store.TrimCosignaturesAsync(4);
        await store.AddCosignatureAsync(new byte[] { 15 });
        Assert.Equal([new byte[200], new byte[200], [15]], await store.ReadCosignaturesAsync(3));
        await store.TrimCosignaturesAsync(0);
        Assert.Empty(await store.ReadCosignaturesAsync(100));
        await store.AddCosignatureAsync(new byte[] { 16 });
        store.Dispose();
        using var reopened = Reopen(store);
        if (reopened is null) return;
        Assert.Equal([[16]], await reopened.ReadCosignaturesAsync(100));
    }

    /// <summary>What a persistent store committed is there after it is reopened: the log, the count, cosignatures.</summary>
    [Fact]
    public async Task A_reopened_store_holds_everything_committed()
    {
        var store = Create();
        var a = ConformanceOps.Chain("a", 4);
        await store.AppendAsync(ConformanceOps.Stored(a, 0));
        await store.AddCosignatureAsync(new byte[] { 7 });
        store.Dispose();
        using var reopened = Reopen(store);
        if (reopened is null) return;
        Assert.Equal(a.Count, reopened.Count);
        Assert.Equal(a.Select(o => o.ChainHash), (await reopened.ReadAsync(0, 100)).Select(o => o.Hash));
        Assert.Equal((5UL, a[^1].ChainHash), await reopened.GetTipAsync(a[0].Op.Author));
        Assert.Equal([[7]], await reopened.ReadCosignaturesAsync(10));
    }

    /// <summary>Beacons: the latest per author by send time (an older or equal one never replaces a newer one), one
    /// row per author however many arrive, read by author id, exactly the bytes kept; a persistent store still holds
    /// them after it is reopened (the fleet's alerts survive a relay restart).</summary>
    [Fact]
    public async Task Beacons_are_kept_latest_per_author_bounded_and_survive_a_reopen()
    {
        var store = Create();
        Assert.Empty(await store.ReadBeaconsAsync());
        var a = ConformanceOps.Chain("beacon-a", 0)[0].Op.Author;
        var b = ConformanceOps.Chain("beacon-b", 0)[0].Op.Author;
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
        static byte[] Bytes(byte tag) => Enumerable.Repeat(tag, 64).ToArray();
        Assert.True(await store.KeepBeaconAsync(new BeaconRecord(b, 100, at, Bytes(1))));
        Assert.True(await store.KeepBeaconAsync(new BeaconRecord(a, 100, at, Bytes(2))));
        for (var i = 1; i <= 50; i++) Assert.True(await store.KeepBeaconAsync(new BeaconRecord(a, 100 + i, at.AddSeconds(i), Bytes((byte)(10 + i)))));
        // Replayed, reordered or equal-time beacons change nothing.
        Assert.False(await store.KeepBeaconAsync(new BeaconRecord(a, 120, at.AddDays(1), Bytes(99))));
        Assert.False(await store.KeepBeaconAsync(new BeaconRecord(a, 150, at.AddDays(1), Bytes(98))));
        Assert.False(await store.KeepBeaconAsync(new BeaconRecord(b, 100, at.AddDays(1), Bytes(97))));

        void Check(IReadOnlyList<BeaconRecord> held)
        {
            Assert.Equal(new[] { a.Value, b.Value }.Order(StringComparer.Ordinal), held.Select(x => x.Author.Value));
            var ofA = held.Single(x => x.Author == a);
            Assert.Equal(150, ofA.SentAtUnixMs);
            Assert.Equal(at.AddSeconds(50), ofA.ReceivedAt);
            Assert.Equal(Bytes(60), ofA.Bytes.ToArray());
            var ofB = held.Single(x => x.Author == b);
            Assert.Equal((100L, at), (ofB.SentAtUnixMs, ofB.ReceivedAt));
            Assert.Equal(Bytes(1), ofB.Bytes.ToArray());
        }

        Check(await store.ReadBeaconsAsync());
        store.Dispose();
        using var reopened = Reopen(store);
        if (reopened is null) return;
        Check(await reopened.ReadBeaconsAsync());
        Assert.True(await reopened.KeepBeaconAsync(new BeaconRecord(b, 101, at, Bytes(3))));
        Assert.Equal(Bytes(3), (await reopened.ReadBeaconsAsync()).Single(x => x.Author == b).Bytes.ToArray());
    }
}
