using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using Ledger.Tests;

namespace Ledger.Relay.Tests;

/// <summary>The relay keeps the entry bundles it built last near the head of the log (EntryBundleCache): observers
/// following the log ask for the head bundle one width after another, many times a second, and every request read up to
/// 256 ops from the store again (measured: 12 % of a SQLite relay's CPU at 100 ops/s with three observers). A held
/// bundle answers every narrower width from memory; a wider one reads only the entries after it. Nothing a client sees
/// changes: the bytes, ranges, problems and headers are the ones a build from nothing gives.</summary>
public sealed class TileCacheTests
{
    private static string Bundle(long index, int width) =>
        $"v1/ledgers/{World.Ledger}/tile/entries/{Index(index)}{(width == 256 ? "" : $".p/{width.ToString(CultureInfo.InvariantCulture)}")}";

    // tlog-tiles: 3-digit elements, all but the last prefixed 'x'.
    private static string Index(long index)
    {
        var text = index.ToString(CultureInfo.InvariantCulture);
        text = new string('0', (3 - text.Length % 3) % 3) + text;
        var parts = Enumerable.Range(0, text.Length / 3).Select(i => text.Substring(i * 3, 3)).ToArray();
        return string.Join("/", parts.Select((p, i) => i < parts.Length - 1 ? "x" + p : p));
    }

    /// <summary>The bundle from the pushed ops themselves, independent of the relay: each behind its uint16 length.</summary>
    private static byte[] Expected(IReadOnlyList<ReadOnlyMemory<byte>> log, long index, int width)
    {
        var bytes = new List<byte>();
        foreach (var op in log.Skip((int)index * 256).Take(width))
        {
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)op.Length);
            bytes.AddRange(length);
            bytes.AddRange(op.ToArray());
        }

        return bytes.ToArray();
    }

    private static HttpRequestMessage Get(string url, string? range = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (range is not null) request.Headers.TryAddWithoutValidation("Range", range);
        return request;
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Bundles_served_through_the_cache_are_the_bytes_built_from_nothing_at_every_width_in_and_out_of_order_across_bundle_boundaries_and_in_ranges()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay, isPublic: true));
        using var http = World.Http(host);
        var chain = World.Chain("author-cache", 599).Select(o => o.Bytes).ToArray(); // 600 ops: bundles 0, 1 full, 2 of 88
        var step = new[] { 1, 7, 2, 30, 13, 1, 45 };
        var checkedWidths = 0;
        for (int pushed = 0, round = 0; pushed < chain.Length; round++)
        {
            var next = Math.Min(chain.Length, pushed + step[round % step.Length]);
            await relay.PushAsync(chain[pushed..next]);
            var size = next;
            var head = (size - 1) / 256;
            var headWidth = size - head * 256;
            // The head bundle: every new width in order (the followers), then narrower ones out of order (slower
            // readers), each whole and from the byte where some entry starts (a range); the bundle behind it whole.
            var widths = Enumerable.Range(Math.Max(1, pushed - (int)head * 256 + 1), Math.Min(headWidth, next - pushed))
                .Concat(new[] { headWidth, 1, headWidth / 2 + 1, Math.Max(1, headWidth - 1), headWidth }).ToArray();
            foreach (var width in widths)
            {
                var expected = Expected(chain, head, width);
                Assert.Equal(expected, await http.GetByteArrayAsync(Bundle(head, width)));
                var skip = Expected(chain, head, width / 2).Length;
                using var part = await http.SendAsync(Get(Bundle(head, width), $"bytes={skip}-"));
                Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
                Assert.Equal(expected[skip..], await part.Content.ReadAsByteArrayAsync());
                Assert.Equal($"bytes {skip}-{expected.Length - 1}/{expected.Length}", part.Content.Headers.ContentRange!.ToString());
                checkedWidths++;
            }

            if (head > 0) Assert.Equal(Expected(chain, head - 1, 256), await http.GetByteArrayAsync(Bundle(head - 1, 256)));
            // Beyond the log is still a 404 problem, whatever the cache holds.
            if (headWidth < 256)
            {
                using var beyond = await http.SendAsync(Get(Bundle(head, headWidth + 1)));
                Assert.Equal(HttpStatusCode.NotFound, beyond.StatusCode);
            }

            pushed = next;
        }

        // Every width of every bundle, in an order that jumps between bundles and widths (a fixed permutation).
        var all = Enumerable.Range(0, 3).SelectMany(b => Enumerable.Range(1, b < 2 ? 256 : 88).Select(w => (Bundle: (long)b, Width: w))).ToArray();
        var order = all.Select((t, i) => (t, Key: (i * 7919L) % all.Length)).OrderBy(p => p.Key).Select(p => p.t).ToArray();
        foreach (var (bundle, width) in order)
        {
            Assert.Equal(Expected(chain, bundle, width), await http.GetByteArrayAsync(Bundle(bundle, width)));
        }

        // The same answers as a server that never cached anything (a new one, over the same relay).
        await using var fresh = await World.StartAsync(o => o.AddLedger(relay, isPublic: true));
        using var freshHttp = World.Http(fresh);
        foreach (var (bundle, width) in order.Where((_, i) => i % 17 == 0))
        {
            Assert.Equal(await freshHttp.GetByteArrayAsync(Bundle(bundle, width)), await http.GetByteArrayAsync(Bundle(bundle, width)));
        }

        var cache = host.Server.Options.Ledgers.Single().Bundles;
        Assert.True(cache.Hits > checkedWidths, $"hits {cache.Hits}, extended {cache.Extended}, built {cache.Built}");
        Assert.InRange(cache.Count, 1, EntryBundleCache.MaxBundles);
        Assert.InRange(cache.HeldBytes, 1, EntryBundleCache.MaxBytes);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Reading_the_head_bundle_at_every_width_as_the_log_grows_reads_each_op_from_the_store_once()
    {
        var store = new CountingStore();
        var relay = World.NewRelay(store);
        var chain = World.Chain("author-count", 299).Select(o => o.Bytes).ToArray(); // 300 ops: bundle 0 full, 1 of 44
        await relay.PushAsync(chain[..40]);
        // The relay's own tree over this store is built from it once, at its first checkpoint; pushes then extend it.
        await relay.GetRootAsync(relay.Size);
        store.Forget();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);

        // Widths 1..40 of bundle 0, in order: each op read once (without the cache: 1 + 2 + … + 40 = 820 reads).
        for (var width = 1; width <= 40; width++) Assert.Equal(Expected(chain, 0, width), await http.GetByteArrayAsync(Bundle(0, width)));
        Assert.Equal(Enumerable.Range(0, 40).Select(p => (long)p), store.Positions());
        Assert.All(store.Reads(), r => Assert.Equal(1, r.Value));

        // Narrower widths again, out of order, with ranges: no read at all.
        foreach (var width in new[] { 17, 3, 40, 1, 39, 22 })
        {
            Assert.Equal(Expected(chain, 0, width), await http.GetByteArrayAsync(Bundle(0, width)));
            using var part = await http.SendAsync(Get(Bundle(0, width), "bytes=2-"));
            Assert.Equal(Expected(chain, 0, width)[2..], await part.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(40, store.Reads().Values.Sum());

        // The log grows by a few ops at a time past the bundle's end: each new op is read once more, then bundle 1.
        for (var pushed = 40; pushed < chain.Length; pushed += 9)
        {
            var next = Math.Min(chain.Length, pushed + 9);
            await relay.PushAsync(chain[pushed..next]);
            for (var position = pushed + 1; position <= next; position++)
            {
                var bundle = (position - 1) / 256;
                var width = position - bundle * 256;
                Assert.Equal(Expected(chain, bundle, width), await http.GetByteArrayAsync(Bundle(bundle, width)));
                // A follower that was behind when the log crossed into bundle 1 reads bundle 0 whole: held.
                if (bundle == 1) Assert.Equal(Expected(chain, 0, 256), await http.GetByteArrayAsync(Bundle(0, 256)));
            }
        }

        Assert.Equal(Enumerable.Range(0, 300).Select(p => (long)p), store.Positions());
        Assert.All(store.Reads(), r => Assert.True(r.Value == 1, $"position {r.Key} read {r.Value} times"));
        var cache = host.Server.Options.Ledgers.Single().Bundles;
        Assert.Equal((2L, 0L, 2), (cache.Built, cache.Extended - 298, cache.Count)); // bundles 0 and 1 built from nothing once each, every other width extended
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_store_that_fails_a_read_or_returns_an_op_too_large_gives_the_typed_problem_and_nothing_of_it_is_kept()
    {
        var store = new CountingStore();
        // Pages of 4 ops: a bundle is built over several reads, so one can fail half way.
        var relay = new Sync.Relay(new RelayOptions { Ledger = World.Ledger, CheckpointKey = World.RelayKey, MaxRead = 4 }, store);
        var chain = World.Chain("author-fail", 29).Select(o => o.Bytes).ToArray();
        await relay.PushAsync(chain);
        await relay.GetRootAsync(relay.Size);
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var cache = host.Server.Options.Ledgers.Single().Bundles;
        Assert.Equal(Expected(chain, 0, 10), await http.GetByteArrayAsync(Bundle(0, 10)));

        // The third page of the extension to 25 fails: a 503 problem, and the bundle held is still the one of 10.
        store.FailFrom = 18;
        foreach (var width in new[] { 25, 19 })
        {
            using var failed = await http.SendAsync(Get(Bundle(0, width)));
            await AssertProblem(failed, "failed", "InvalidDataException");
            Assert.Equal(10, cache.Find(0, 30)!.Width);
        }

        // Widths held still answer from memory while the store fails.
        Assert.Equal(Expected(chain, 0, 7), await http.GetByteArrayAsync(Bundle(0, 7)));
        using (var failedWhole = await http.SendAsync(Get(Bundle(0, 30), "bytes=5-")))
        {
            await AssertProblem(failedWhole, "failed", "InvalidDataException");
        }

        // A store that returns an op larger than an entry can carry: the relay cannot serve that bundle, and keeps nothing of it.
        store.FailFrom = null;
        store.Oversize = 21;
        using (var tooLarge = await http.SendAsync(Get(Bundle(0, 24))))
        {
            await AssertProblem(tooLarge, "failed", "more than an entry bundle can carry");
        }

        Assert.Equal(10, cache.Find(0, 30)!.Width);
        Assert.Equal(Expected(chain, 0, 21), await http.GetByteArrayAsync(Bundle(0, 21)));
        using (var stillTooLarge = await http.SendAsync(Get(Bundle(0, 30))))
        {
            await AssertProblem(stillTooLarge, "failed", "more than an entry bundle can carry");
        }

        // The store mended: the bytes of a build from nothing, at every width.
        store.Oversize = null;
        for (var width = 30; width >= 1; width--) Assert.Equal(Expected(chain, 0, width), await http.GetByteArrayAsync(Bundle(0, width)));
        Assert.Equal(30, cache.Find(0, 30)!.Width);
    }

    private static async Task AssertProblem(HttpResponseMessage response, string code, string detail)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.CacheControl!.NoStore);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains($"\"code\":\"{code}\"", body, StringComparison.Ordinal);
        Assert.Contains(detail, body, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Many_readers_of_a_growing_log_at_once_all_get_the_bytes_built_from_nothing()
    {
        var store = new CountingStore { Yield = true };
        var relay = World.NewRelay(store);
        await using var host = await World.StartAsync(o => o.AddLedger(relay, isPublic: true));
        var chain = World.Chain("author-race", 699).Select(o => o.Bytes).ToArray(); // 700 ops: bundles 0, 1 full, 2 of 188
        await relay.PushAsync(chain[..1]);
        var failures = new ConcurrentQueue<string>();
        var answers = 0L;
        // Three ops at a time, each time after the readers got a few more answers: every size is read, by several at once.
        var pushing = Task.Run(async () =>
        {
            for (var pushed = 1; pushed < chain.Length; pushed += 3)
            {
                var seen = Interlocked.Read(ref answers);
                while (Interlocked.Read(ref answers) < seen + 8) await Task.Delay(1);
                await relay.PushAsync(chain[pushed..Math.Min(chain.Length, pushed + 3)]);
            }
        });

        var readers = Enumerable.Range(0, 16).Select(reader => Task.Run(async () =>
        {
            using var http = World.Http(host);
            var random = new Random(reader);
            var done = false;
            while (!done)
            {
                done = pushing.IsCompleted;
                var size = relay.Size;
                var head = (size - 1) / 256;
                // Mostly the head at its newest width or just under it (the followers), sometimes any bundle and width.
                var bundle = random.Next(4) == 0 ? random.NextInt64(head + 1) : head;
                var available = (int)Math.Min(256, size - bundle * 256);
                var width = random.Next(3) switch { 0 => available, 1 => Math.Max(1, available - random.Next(4)), _ => 1 + random.Next(available) };
                var expected = Expected(chain, bundle, width);
                var skip = random.Next(2) == 0 ? 0 : Expected(chain, bundle, random.Next(width)).Length;
                using var response = await http.SendAsync(Get(Bundle(bundle, width), skip == 0 ? null : $"bytes={skip}-"));
                var body = await response.Content.ReadAsByteArrayAsync();
                Interlocked.Increment(ref answers);
                if (response.StatusCode != (skip == 0 ? HttpStatusCode.OK : HttpStatusCode.PartialContent) || !body.AsSpan().SequenceEqual(expected.AsSpan(skip)))
                {
                    failures.Enqueue($"reader {reader}: {Bundle(bundle, width)} from byte {skip}: {response.StatusCode}, {body.Length} bytes, expected {expected.Length - skip}");
                }
            }
        })).ToArray();
        await Task.WhenAll(readers.Append(pushing)).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Empty(failures);
        Assert.True(answers > 233 * 8, answers.ToString(CultureInfo.InvariantCulture));
        var cache = host.Server.Options.Ledgers.Single().Bundles;
        Assert.True(cache.Hits > 0 && cache.Extended > 0, $"hits {cache.Hits}, extended {cache.Extended}, built {cache.Built}");
        // The store read far fewer ops than the answers carried.
        using var final = World.Http(host);
        for (var bundle = 0; bundle < 3; bundle++)
        {
            var width = bundle < 2 ? 256 : 188;
            Assert.Equal(Expected(chain, bundle, width), await final.GetByteArrayAsync(Bundle(bundle, width)));
        }
    }

    [Fact]
    public void The_cache_holds_at_most_its_bundles_and_bytes_near_the_head_and_the_widest_of_each_bundle()
    {
        var cache = new EntryBundleCache();
        EntryBundleCache.Bundle Make(long index, int width, int entryBytes)
        {
            var offsets = Enumerable.Range(0, width + 1).Select(i => i * (2 + entryBytes)).ToArray();
            return new EntryBundleCache.Bundle(index, new byte[offsets[^1]], offsets);
        }

        cache.Keep(Make(0, 10, 100), headIndex: 0);
        cache.Keep(Make(0, 5, 100), headIndex: 0); // narrower: the wider one stays
        Assert.Equal(10, cache.Find(0, 30)!.Width);
        for (var i = 1; i <= 5; i++) cache.Keep(Make(i, 256, 100), headIndex: i);
        // Four at most, the ones furthest behind the head gone first.
        Assert.Equal(new int?[] { null, null, 256, 256, 256, 256 }, Enumerable.Range(0, 6).Select(i => cache.Find(i, 8 * 256)?.Width));
        // A bundle more than three behind the head is not kept (a device reading old bundles does not push the head out).
        cache.Keep(Make(1, 256, 100), headIndex: 5);
        Assert.Null(cache.Find(1, 8 * 256));
        // The byte budget: large entries push the bundles behind out, the head stays; one larger than the budget is not kept.
        cache.Keep(Make(6, 256, 900), headIndex: 6);
        Assert.Equal(new int?[] { null, null, null, null, null, 256, 256 }, Enumerable.Range(0, 7).Select(i => cache.Find(i, 8 * 256)?.Width));
        Assert.InRange(cache.HeldBytes, 256 * 902, EntryBundleCache.MaxBytes);
        cache.Keep(Make(7, 256, 1100), headIndex: 7);
        Assert.Null(cache.Find(7, 8 * 256));
        Assert.InRange(cache.HeldBytes, 256 * 902, EntryBundleCache.MaxBytes);

        // A log below the end of a held bundle (a store restored from an older backup) lost what it was built from: all go.
        Assert.NotNull(cache.Find(6, 7 * 256));
        Assert.Null(cache.Find(5, 7 * 256 - 1));
        Assert.Equal((0, 0L), (cache.Count, cache.HeldBytes));
    }

    /// <summary>Bundles are read from the store as it holds them, not pulled: a pull takes the gate the pushes hold and
    /// signs a checkpoint for what it returns, so every tile request queued behind a slow commit and signed a note nobody
    /// read (found in the fleet at 100 ops/s).</summary>
    [Fact]
    [Trait("Risk", "G1")]
    public async Task An_entry_bundle_of_stored_ops_is_served_while_a_push_holds_the_relays_gate()
    {
        var store = new HeldAppendStore();
        var relay = World.NewRelay(store);
        var chain = World.Chain("author-held", 19).Select(o => o.Bytes).ToArray(); // 20 ops
        await relay.PushAsync(chain[..10]);
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        store.Hold();
        var push = relay.PushAsync(chain[10..]);
        try
        {
            await store.Holding.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(Expected(chain, 0, 10), await http.GetByteArrayAsync(Bundle(0, 10)).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.False(push.IsCompleted);
        }
        finally
        {
            store.Release();
        }

        await push;
        Assert.Equal(Expected(chain, 0, 20), await http.GetByteArrayAsync(Bundle(0, 20)));
    }

    /// <summary>Counts how often the store hands out each position; can fail reads from a position (an I/O error) or
    /// hand out an op too large for an entry at one.</summary>
    private sealed class CountingStore : ForwardingRelayStore
    {
        private readonly ConcurrentDictionary<long, int> _reads = new();

        public long? FailFrom { get; set; }

        public long? Oversize { get; set; }

        public bool Yield { get; init; }

        public void Forget() => _reads.Clear();

        public IReadOnlyDictionary<long, int> Reads() => new SortedDictionary<long, int>(_reads);

        public IEnumerable<long> Positions() => Reads().Keys;

        public override async Task<IReadOnlyList<StoredOp>> ReadAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
        {
            if (Yield) await Task.Yield();
            var ops = await base.ReadAsync(fromPosition, max, cancellationToken);
            if (FailFrom is { } fail && ops.Any(o => o.Position >= fail)) throw new InvalidDataException($"the disk failed reading position {fail}.");
            foreach (var op in ops) _reads.AddOrUpdate(op.Position, 1, (_, n) => n + 1);
            return Oversize is { } large ? ops.Select(o => o.Position == large ? o with { Bytes = new byte[65_536] } : o).ToArray() : ops;
        }
    }
}
