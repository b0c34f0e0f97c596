using System.Net;
using System.Net.Http.Headers;
using Ledger.Sync;
using Ledger.Sync.Http;

namespace Ledger.Relay.Tests;

/// <summary>Byte ranges of tiles and entry bundles (RFC 9110 §14): a device following the log pulls after every few
/// new ops, and without ranges it downloads the whole partial bundle again each time (at 100 ops/s with 10,000 tills,
/// nearly all of the readers' 221 MB in 30 s were bytes they already held). The bytes of <c>.p/W1</c> are a prefix of
/// <c>.p/W2</c>, so the client asks for the bytes after the ones it holds; a relay or cache that ignores the range
/// answers 200 and the client reads the whole bundle as before.</summary>
public sealed class TileRangeTests
{
    private static HttpRequestMessage Get(string path, string? range = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"v1/ledgers/{World.Ledger}/{path}");
        if (range is not null) request.Headers.TryAddWithoutValidation("Range", range);
        return request;
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Bundles_and_tiles_answer_one_byte_range_206_a_range_past_the_end_416_and_a_malformed_or_multiple_range_the_whole_body()
    {
        var relay = World.NewRelay();
        await relay.PushAsync(World.Chain("author-r", 299).Select(o => o.Bytes).ToArray()); // 300 ops: bundle 0 full, bundle 1 of 44
        await using var host = await World.StartAsync(o => o.AddLedger(relay, isPublic: true));
        using var http = World.Http(host);

        // The ground the client stands on: a narrower partial bundle is a byte prefix of a wider one and of the full one.
        var narrow = await http.GetByteArrayAsync($"v1/ledgers/{World.Ledger}/tile/entries/000.p/10");
        var full = await http.GetByteArrayAsync($"v1/ledgers/{World.Ledger}/tile/entries/000");
        Assert.Equal(narrow, full[..narrow.Length]);

        foreach (var path in new[] { "tile/entries/000", "tile/entries/001.p/44", "tile/entries/000.p/1", "tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1" })
        {
            using var whole = await http.SendAsync(Get(path));
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal(["bytes"], whole.Headers.AcceptRanges);
            Assert.Contains(whole.Headers.CacheControl!.Extensions, e => e.Name == "immutable");
            var body = await whole.Content.ReadAsByteArrayAsync();
            var n = body.Length;
            Assert.True(n >= 32, path);

            // One range: 206, exactly those bytes of the whole body, Content-Range naming them and the total, the
            // whole body's headers otherwise.
            foreach (var (range, first, last) in new (string, int, int)[]
            {
                ("bytes=0-", 0, n - 1), ("bytes=1-", 1, n - 1), ($"bytes={n / 2}-", n / 2, n - 1), ($"bytes={n - 1}-", n - 1, n - 1),
                ("bytes=3-17", 3, 17), ($"bytes=5-{n + 100}", 5, n - 1), ("bytes=-7", n - 7, n - 1),
            })
            {
                using var part = await http.SendAsync(Get(path, range));
                Assert.True(HttpStatusCode.PartialContent == part.StatusCode, $"{path} {range}: {part.StatusCode}");
                var content = part.Content.Headers.ContentRange!;
                Assert.Equal(("bytes", first, last, n), (content.Unit, content.From, content.To, content.Length));
                Assert.Equal(body[first..(last + 1)], await part.Content.ReadAsByteArrayAsync());
                Assert.Equal(last - first + 1, part.Content.Headers.ContentLength);
                Assert.Equal("application/octet-stream", part.Content.Headers.ContentType!.MediaType);
                Assert.Equal((true, TimeSpan.FromDays(365)), (part.Headers.CacheControl!.Public, part.Headers.CacheControl.MaxAge));
                Assert.Equal(RelayHttp.ProtocolVersion, part.Headers.GetValues(RelayHttp.ProtocolHeader).Single());
            }

            // Starting at or past the end: 416 with the total, no body, and nothing for a cache to keep.
            foreach (var range in new[] { $"bytes={n}-", $"bytes={n + 50}-{n + 60}" })
            {
                using var refused = await http.SendAsync(Get(path, range));
                Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, refused.StatusCode);
                Assert.Equal($"bytes */{n}", refused.Content.Headers.ContentRange!.ToString());
                Assert.Empty(await refused.Content.ReadAsByteArrayAsync());
                Assert.True(refused.Headers.CacheControl!.NoStore, path);
            }

            // Malformed, another unit, several ranges: ignored, the whole body.
            foreach (var range in new[] { "bytes=abc", "bytes=9-3", "items=0-5", "bytes=0-1,4-5", "bytes 0-5" })
            {
                using var ignored = await http.SendAsync(Get(path, range));
                Assert.True(HttpStatusCode.OK == ignored.StatusCode, $"{path} {range}: {ignored.StatusCode}");
                Assert.Null(ignored.Content.Headers.ContentRange);
                Assert.Equal(body, await ignored.Content.ReadAsByteArrayAsync());
            }
        }

        // Beyond the tree is still a 404 problem, range or not.
        using var beyond = await http.SendAsync(Get("tile/entries/001.p/45", "bytes=0-"));
        Assert.Equal(HttpStatusCode.NotFound, beyond.StatusCode);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_node_following_a_growing_log_asks_for_the_bytes_after_the_bundle_it_holds_and_ends_with_the_state_of_whole_reads()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        var asked = new List<Asked>();
        using var http = new HttpClient(new Recording(asked, new SocketsHttpHandler())) { BaseAddress = new Uri(host.Urls[0] + "/") };
        var client = World.Client(http);
        await using var follower = await World.NewNodeAsync("dev-follow", World.Trusted(relay));

        // 300 ops pushed seven at a time, the follower syncing after each: bundle 0 fills, bundle 1 starts.
        var chain = World.Chain("author-f", 299).Select(o => o.Bytes).ToArray();
        for (var at = 0; at < chain.Length; at += 7)
        {
            await relay.PushAsync(chain[at..Math.Min(chain.Length, at + 7)]);
            var round = await follower.SyncAsync(client);
            Assert.False(round.Offline);
        }

        await World.ConvergeAsync(client, follower);

        // A node reading whole bundles (from nothing) ends in the same state.
        using var plainHttp = World.Http(host);
        await using var reader = await World.NewNodeAsync("dev-whole", World.Trusted(relay));
        await World.ConvergeAsync(World.Client(plainHttp), reader);
        await World.ConvergeAsync(client, follower);
        await World.ConvergeAsync(World.Client(plainHttp), reader);
        Assert.Equal(reader.StateHash(), follower.StateHash());
        Assert.Equal(relay.Size, follower.WitnessedCheckpoint!.Size);

        // After its first read of a bundle, every read of the same bundle asked for the bytes after the ones held and
        // was answered them (206): the bundles' bytes were downloaded once each, none again.
        var bundles = asked.Where(a => a.Path.Contains("/tile/entries/", StringComparison.Ordinal)).ToArray();
        var firstOfBundle0 = bundles.TakeWhile(a => a.Path.Contains("/tile/entries/000", StringComparison.Ordinal)).ToArray();
        Assert.True(firstOfBundle0.Length > 10, string.Join(", ", bundles.Select(b => b.ToString())));
        Assert.Null(firstOfBundle0[0].Range);
        Assert.All(firstOfBundle0[1..], a => Assert.True(a.Range is not null && a.Status == HttpStatusCode.PartialContent, a.ToString()));
        Assert.Contains(bundles, a => a.Path.EndsWith("/tile/entries/000", StringComparison.Ordinal) && a.Range is not null);
        Assert.Contains(bundles, a => a.Path.Contains("/tile/entries/001", StringComparison.Ordinal) && a.Range is not null);
        var final = await follower.SyncAsync(client); // nothing new: no bundle read
        Assert.Equal(0, final.Pulled);
        long wholeBytes = 0;
        for (var bundle = 0L; bundle * 256 < relay.Size; bundle++)
        {
            var width = (int)Math.Min(256, relay.Size - bundle * 256);
            wholeBytes += (await plainHttp.GetByteArrayAsync($"v1/ledgers/{World.Ledger}/tile/entries/00{bundle}{(width == 256 ? "" : $".p/{width}")}")).Length;
        }

        Assert.Equal(wholeBytes, bundles.Sum(a => a.Bytes));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Nodes_sharing_one_client_at_different_positions_each_ask_for_the_bytes_from_their_own_position()
    {
        // The fleet's observers share one client per relay: the client keeps where each entry of the head bundle
        // starts, not only where the last pull ended, so a node behind the last reader asks from its own position.
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        var asked = new List<Asked>();
        using var http = new HttpClient(new Recording(asked, new SocketsHttpHandler())) { BaseAddress = new Uri(host.Urls[0] + "/") };
        var client = World.Client(http);
        await using var eager = await World.NewNodeAsync("dev-eager", World.Trusted(relay));
        await using var slow = await World.NewNodeAsync("dev-slow", World.Trusted(relay));
        var chain = World.Chain("author-s", 199).Select(o => o.Bytes).ToArray();
        for (int at = 0, round = 0; at < chain.Length; at += 5, round++)
        {
            await relay.PushAsync(chain[at..Math.Min(chain.Length, at + 5)]);
            Assert.False((await eager.SyncAsync(client)).Offline);
            if (round % 3 == 2) Assert.False((await slow.SyncAsync(client)).Offline);
        }

        await World.ConvergeAsync(client, slow, eager);
        using var plainHttp = World.Http(host);
        await using var reader = await World.NewNodeAsync("dev-whole", World.Trusted(relay));
        await World.ConvergeAsync(World.Client(plainHttp), reader);
        await World.ConvergeAsync(client, slow, eager);
        await World.ConvergeAsync(World.Client(plainHttp), reader);
        Assert.Single(new[] { reader.StateHash(), eager.StateHash(), slow.StateHash() }.Distinct());

        // One bundle (the log stays under 256): each node read it whole once, when it held none of it; every other read
        // asked for a range and got it, the slow node's included.
        var bundles = asked.Where(a => a.Path.Contains("/tile/entries/", StringComparison.Ordinal)).ToArray();
        Assert.True(bundles.Length > 40, bundles.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, bundles.Count(a => a.Range is null));
        Assert.All(bundles.Where(a => a.Range is not null), a => Assert.True(a.Status == HttpStatusCode.PartialContent, a.ToString()));
        var ranges = bundles.Where(a => a.Range is not null).Select(a => long.Parse(a.Range!["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(ranges.Zip(ranges[1..]).Any(p => p.Second < p.First), "the slow node asked from behind the eager one: " + string.Join(", ", ranges));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_relay_or_cache_that_ignores_the_range_answers_whole_bundles_and_the_node_syncs_as_before()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        var asked = new List<Asked>();
        using var http = new HttpClient(new Recording(asked, new Rewriting(r => r.Headers.Range = null, new SocketsHttpHandler()))) { BaseAddress = new Uri(host.Urls[0] + "/") };
        var client = World.Client(http);
        await using var follower = await World.NewNodeAsync("dev-ignored", World.Trusted(relay));
        var chain = World.Chain("author-i", 40).Select(o => o.Bytes).ToArray();
        for (var at = 0; at < chain.Length; at += 5)
        {
            await relay.PushAsync(chain[at..Math.Min(chain.Length, at + 5)]);
            Assert.False((await follower.SyncAsync(client)).Offline);
        }

        using var plainHttp = World.Http(host);
        await using var reader = await World.NewNodeAsync("dev-whole", World.Trusted(relay));
        await World.ConvergeAsync(World.Client(plainHttp), reader);
        await World.ConvergeAsync(client, follower);
        await World.ConvergeAsync(World.Client(plainHttp), reader);
        Assert.Equal(reader.StateHash(), follower.StateHash());
        var bundles = asked.Where(a => a.Path.Contains("/tile/entries/", StringComparison.Ordinal)).ToArray();
        Assert.Contains(bundles, a => a.Range is not null);
        Assert.All(bundles, a => Assert.Equal(HttpStatusCode.OK, a.Status));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_partial_answer_that_is_not_the_asked_range_is_refused_as_unavailable_and_the_next_pull_reads_the_whole_bundle()
    {
        var relay = World.NewRelay();
        var chain = World.Chain("author-l", 30).Select(o => o.Bytes).ToArray();
        await relay.PushAsync(chain[..4]);
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        var lie = (Action<HttpRequestMessage>?)null;
        var asked = new List<Asked>();
        using var http = new HttpClient(new Recording(asked, new Rewriting(r => lie?.Invoke(r), new SocketsHttpHandler()))) { BaseAddress = new Uri(host.Urls[0] + "/") };
        var client = World.Client(http);
        var held = (await client.PullAsync(0, 1000)).Ops.Count;
        Assert.Equal(4, held);

        // Each lie: the relay's genuine 206 of other bytes than asked for.
        var lies = new (string What, Action<HttpRequestMessage> Lie)[]
        {
            // Two bytes before the asked start (a cut entry length and more).
            ("an earlier start", r =>
            {
                if (r.Headers.Range?.Ranges.Single().From is { } from) r.Headers.Range = new RangeHeaderValue(from - 2, null);
            }),
            // Later than asked: an entry left out.
            ("a later start", r =>
            {
                if (r.Headers.Range?.Ranges.Single().From is { } from) r.Headers.Range = new RangeHeaderValue(from + 3, null);
            }),
            // The asked start, but of a narrower bundle: one entry short of the missing ones.
            ("one entry short", r =>
            {
                if (r.Headers.Range is null) return;
                var uri = r.RequestUri!.OriginalString;
                var width = int.Parse(uri[(uri.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                r.RequestUri = new Uri(uri[..(uri.LastIndexOf('/') + 1)] + (width - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }),
            // The bytes of the entries one before the asked ones, as many as asked for: they parse, only their start
            // (and, at the node, the Merkle root) tells them apart.
            ("the entries one before", r =>
            {
                if (r.Headers.Range?.Ranges.Single().From is not { } from) return;
                var uri = r.RequestUri!.OriginalString;
                var width = int.Parse(uri[(uri.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                r.RequestUri = new Uri(uri[..(uri.LastIndexOf('/') + 1)] + (width - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                r.Headers.Range = new RangeHeaderValue(from - 2 - chain[held - 1].Length, null);
            }),
            // A partial answer to a request that asked for none.
            ("a range nobody asked for", r =>
            {
                if (r.RequestUri!.OriginalString.Contains("/tile/entries/", StringComparison.Ordinal)) r.Headers.Range ??= new RangeHeaderValue(0, null);
            }),
        };

        var pushed = 4;
        foreach (var (what, liar) in lies)
        {
            await relay.PushAsync(chain[pushed..(pushed + 3)]);
            pushed += 3;
            lie = liar;
            // The last lie bends a request without a range: a pull that does not continue the bundle held.
            var nobodyAsked = what == "a range nobody asked for";
            var refused = await Assert.ThrowsAsync<RelayUnavailableException>(() => client.PullAsync(nobodyAsked ? 0 : held, 1000));
            Assert.Contains("tile/entries/000", refused.Message, StringComparison.Ordinal);
            var lied = asked.Last(a => a.Path.Contains("/tile/entries/", StringComparison.Ordinal));
            Assert.True(lied.Status == HttpStatusCode.PartialContent && (lied.Range is null) == nobodyAsked, $"{what}: {lied}");
            lie = null;

            // Forgotten: the next pull asks for the whole bundle.
            var before = asked.Count;
            var page = await client.PullAsync(held, 1000);
            var expected = await relay.PullAsync(held, 1000);
            Assert.Equal(expected.Ops.Select(o => (o.Position, Convert.ToHexString(o.Bytes.Span))), page.Ops.Select(o => (o.Position, Convert.ToHexString(o.Bytes.Span))));
            Assert.Equal(expected.Checkpoint, page.Checkpoint);
            held += page.Ops.Count;
            var reads = asked.Skip(before).Where(a => a.Path.Contains("/tile/entries/", StringComparison.Ordinal)).ToArray();
            Assert.Equal((null, HttpStatusCode.OK), (Assert.Single(reads).Range, reads[0].Status));
        }

        // Honest again: the next pull asks for a range and takes it.
        await relay.PushAsync(chain[pushed..]);
        var last = await client.PullAsync(held, 1000);
        Assert.Equal(relay.Size, held + last.Ops.Count);
        var honest = asked.Last(a => a.Path.Contains("/tile/entries/", StringComparison.Ordinal));
        Assert.Equal((true, HttpStatusCode.PartialContent), (honest.Range is not null, honest.Status));
    }

    private sealed record Asked(string Path, string? Range, HttpStatusCode Status, long Bytes);

    /// <summary>Records what the client asked (before any rewriting) and what came back.</summary>
    private sealed class Recording(List<Asked> asked, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.OriginalString;
            var range = request.Headers.Range?.ToString();
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            lock (asked) asked.Add(new Asked(path, range, response.StatusCode, response.Content.Headers.ContentLength ?? -1));
            return response;
        }
    }

    /// <summary>Changes the request on its way to the relay: a proxy or cache that drops the range, or one that bends it.</summary>
    private sealed class Rewriting(Action<HttpRequestMessage> rewrite, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            rewrite(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
