using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Ledger.Kernel;
using Ledger.Sync.AspNetCore;
using Ledger.Sync;

namespace Ledger.Relay.Tests;

/// <summary>The pull side is C2SP tlog-tiles: entry bundles and hash tiles any tlog client can check against the
/// signed checkpoint, immutable and cacheable per the ledger's configuration; the checkpoint cached for seconds; the
/// long poll bounded.</summary>
public sealed class TileTests
{
    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, $"v1/ledgers/{World.Ledger}/{path}");

    [Fact]
    public async Task Entry_bundles_and_level_0_tiles_hash_to_the_signed_checkpoint_root()
    {
        var relay = World.NewRelay();
        await relay.PushAsync(World.Chain("author-t", 299).Select(o => o.Bytes).ToArray()); // 300 ops: one full bundle, one partial of 44
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);

        var entries = new List<byte[]>();
        foreach (var path in new[] { "tile/entries/000", "tile/entries/001.p/44" })
        {
            var bytes = await http.GetByteArrayAsync($"v1/ledgers/{World.Ledger}/{path}");
            for (var at = 0; at < bytes.Length;)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at));
                entries.Add(bytes.AsSpan(at + 2, length).ToArray());
                at += 2 + length;
            }
        }

        Assert.Equal(300, entries.Count);
        var leaves = new List<Hash32>();
        foreach (var path in new[] { "tile/0/000", "tile/0/001.p/44" })
        {
            var bytes = await http.GetByteArrayAsync($"v1/ledgers/{World.Ledger}/{path}");
            for (var at = 0; at < bytes.Length; at += 32) leaves.Add(new Hash32(bytes.AsSpan(at, 32)));
        }

        Assert.Equal(entries.Select(e => MerkleTree.LeafHash(e)), leaves);
        var tree = new MerkleTree();
        foreach (var leaf in leaves) tree.AppendLeafHash(leaf);
        var note = await http.GetByteArrayAsync($"v1/ledgers/{World.Ledger}/checkpoint");
        var (checkpoint, _, verdict) = RelayCheckpoint.Open(note, World.Trusted(relay));
        Assert.True(verdict.Ok);
        Assert.Equal(300, checkpoint.Size);
        Assert.Equal(checkpoint.Root, tree.Root());

        // Beyond the tree, or a width the tree does not have yet: 404 problems.
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Get("tile/entries/001"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Get("tile/0/001.p/45"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Get("tile/1/000"))).StatusCode);
        // Level 1 partial tile of width 1 exists for 300 leaves (one complete subtree of 256).
        var level1 = await http.GetByteArrayAsync($"v1/ledgers/{World.Ledger}/tile/1/000.p/1");
        Assert.Equal(tree.Hashes(8, 0, 1)[0].ToArray(), level1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Tiles_are_immutable_and_cacheable_per_ledger_configuration_and_the_checkpoint_for_seconds(bool isPublic)
    {
        var relay = World.NewRelay();
        await relay.PushAsync(World.Chain("author-c", 3).Select(o => o.Bytes).ToArray());
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay, isPublic);
            o.CheckpointMaxAge = TimeSpan.FromSeconds(3);
        });
        using var http = World.Http(host);
        foreach (var path in new[] { "tile/entries/000.p/4", "tile/0/000.p/4", "checkpoint?size=2" })
        {
            var response = await http.SendAsync(Get(path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var cache = response.Headers.CacheControl!;
            Assert.Equal((isPublic, !isPublic, TimeSpan.FromDays(365)), (cache.Public, cache.Private, cache.MaxAge));
            Assert.Contains(cache.Extensions, e => e.Name == "immutable");
        }

        var checkpoint = await http.SendAsync(Get("checkpoint"));
        var latest = checkpoint.Headers.CacheControl!;
        Assert.Equal((isPublic, !isPublic, TimeSpan.FromSeconds(3)), (latest.Public, latest.Private, latest.MaxAge));
        Assert.Equal("text/plain; charset=utf-8", checkpoint.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task The_long_poll_answers_at_once_when_the_log_grows_and_no_change_after_its_bound()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.LongPollTimeout = TimeSpan.FromMilliseconds(400);
        });
        using var http = World.Http(host);
        var client = World.Client(http);

        var watch = Stopwatch.StartNew();
        Assert.Null(await client.WaitForChangeAsync(0));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(10));

        await using var slow = await World.StartAsync(o =>
        {
            o.AddLedger(World.NewRelay(ledger: "slow-poll"));
            o.LongPollTimeout = TimeSpan.FromSeconds(60);
        });
        // A push through the server wakes the waiter long before the bound.
        using var slowHttp = World.Http(slow);
        var slowClient = World.Client(slowHttp, "slow-poll");
        var waiting = slowClient.WaitForChangeAsync(0);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        // Ops signed for the slow-poll ledger.
        Ledger.Signing.AuthorLog.Incept("slow-poll", "author-lp", World.Key("author-lp", 0), World.Key("author-lp", 1).Public.Digest, out var inception);
        watch.Restart();
        await slowClient.PushAsync([inception.Bytes]);
        Assert.Equal(1, await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Long_polls_and_event_streams_wake_on_ops_stored_by_other_means_than_a_push_through_the_server_by_one_shared_recheck()
    {
        // Ops another instance stored over the same database reach this server only as a larger store size (PostgreSQL's
        // notification); the relay object pushed directly stands for that here. One timer a ledger rechecks the size
        // while anyone waits (Signal), instead of a timer for each waiter.
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.LongPollTimeout = TimeSpan.FromSeconds(60);
        });
        using var http = World.Http(host);
        var client = World.Client(http);
        var polls = Enumerable.Range(0, 20).Select(_ => client.WaitForChangeAsync(0)).ToArray();
        var events = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"v1/ledgers/{World.Ledger}/events?after=0"), HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        await Task.Delay(300);
        Assert.DoesNotContain(polls, p => p.IsCompleted);

        await relay.PushAsync(World.Chain("other-means", 1).Select(o => o.Bytes).ToArray());
        var sizes = await Task.WhenAll(polls).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(sizes, s => Assert.Equal(2, s));
        string? line;
        do line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        while (line is not null && line != "data: 2");
        Assert.Equal("data: 2", line);
        reader.Dispose();
        events.Dispose();

        // With nobody waiting the timer is gone; the next waiter starts it again.
        var later = client.WaitForChangeAsync(2);
        await Task.Delay(300);
        await relay.PushAsync(World.Chain("other-means-2", 0).Select(o => o.Bytes).ToArray());
        Assert.Equal(3, await later.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Server_sent_events_announce_each_new_size_and_the_stream_closes_after_its_bound()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.EventStreamTimeout = TimeSpan.FromSeconds(3);
        });
        using var http = World.Http(host);
        var request = new HttpRequestMessage(HttpMethod.Get, $"v1/ledgers/{World.Ledger}/events?after=0");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.CacheControl!.NoStore);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        await World.Client(http).PushAsync(World.Chain("sse-author", 2).Select(o => o.Bytes).ToArray());
        var lines = new List<string>();
        while (!lines.Contains("data: 3"))
        {
            var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(line);
            lines.Add(line!);
        }

        Assert.Equal(["event: size", "id: 3", "data: 3"], lines.SkipWhile(l => l != "event: size").Take(3));
        // Bounded: the relay closes the stream (the reader reaches its end) well within a few seconds.
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.DoesNotContain("data: 0", rest, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0/000", 0, 0L, 256)]
    [InlineData("0/x001/x234/067", 0, 1234067L, 256)]
    [InlineData("entries/x001/000.p/7", -1, 1000L, 7)]
    [InlineData("63/255.p/255", 63, 255L, 255)]
    public void Tile_paths_parse_strictly_and_print_back_the_same(string path, int level, long index, int width)
    {
        Assert.True(TilePath.TryParse(path, out var tile, out _));
        Assert.Equal((level, index, width), (tile.Level, tile.Index, tile.Width));
        Assert.Equal(path, tile.ToString());
    }

    [Theory]
    [InlineData("0/00")]
    [InlineData("0/0000")]
    [InlineData("00/000")]
    [InlineData("64/000")]
    [InlineData("0/x000/001")]
    [InlineData("0/001/002")]
    [InlineData("0/000.p/0")]
    [InlineData("0/000.p/256")]
    [InlineData("0/000.p/07")]
    [InlineData("entries")]
    [InlineData("entries/abc")]
    [InlineData("0/x001/x002/x003/x004/x005/x006/007")]
    public void Other_spellings_of_tile_paths_are_refused(string path) => Assert.False(TilePath.TryParse(path, out _, out _));
}
