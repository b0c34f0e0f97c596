using System.Net;
using Ledger.Sync;
using Ledger.Sync.Http;

namespace Ledger.Relay.Tests;

/// <summary>The long poll's answer is the relay-signed checkpoint note a pull starts from. A node on the long poll got
/// it (<c>GET checkpoint?after=N</c>), threw it away and asked <c>GET checkpoint</c> again first thing in the round
/// that followed — usually for the very same note (at 100 ops/s, 3 observers made 19,428 <c>GET checkpoint</c> beside
/// 7,822 long-poll answers in 35 s). The client keeps the note a long poll returned and the next pull that starts
/// before it reads up to it instead; a kept note is used once per long poll that brought it, never to go backwards,
/// and only when it names the log the client's pulls have been reading.</summary>
public sealed class LongPollCheckpointTests
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_node_following_a_growing_log_through_the_long_poll_asks_for_the_checkpoint_once_a_round_not_twice_and_ends_where_plain_rounds_do()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.LongPollTimeout = TimeSpan.FromMilliseconds(300);
        });
        var asked = new List<Asked>();
        using var http = new HttpClient(new Recording(asked, null, new SocketsHttpHandler())) { BaseAddress = new Uri(host.Urls[0] + "/") };
        var client = World.Client(http);
        using var plainHttp = World.Http(host);
        var writer = World.Client(plainHttp);
        await using var follower = await World.NewNodeAsync("dev-poll", World.Trusted(relay));

        // As LedgerNodeSyncService does it: a round, then the long poll from the relay size the round ended at, then a
        // round, … The writer pushes before each poll, so every poll is answered at once with the new checkpoint.
        var chain = World.Chain("author-p", 69).Select(o => o.Bytes).ToArray();
        var first = await follower.SyncAsync(client);
        Assert.False(first.Offline);
        var rounds = 0;
        var before = asked.Count;
        for (var at = 0; at < chain.Length; at += 7, rounds++)
        {
            await writer.PushAsync(chain[at..Math.Min(chain.Length, at + 7)]);
            var size = await client.WaitForChangeAsync(first.RelaySize!.Value).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(relay.Size, size);
            first = await follower.SyncAsync(client);
            Assert.False(first.Offline);
            Assert.Equal(Math.Min(7, chain.Length - at), first.Pulled);
            // The round ends at the relay's size: the next poll waits (no spin) and nothing is left behind (no stall).
            Assert.Equal(relay.Size, first.RelaySize);
        }

        // Per round: the long poll, one GET checkpoint (the pull that finds the node caught up), the bundle, the
        // cosignature posted and the cosignatures read. The pull that read the new ops started from the poll's note.
        var polled = asked.Skip(before).ToArray();
        Assert.Equal(rounds, polled.Count(a => a.Kind == "after"));
        Assert.Equal(rounds, polled.Count(a => a.Kind == "latest"));
        Assert.Equal(0, polled.Count(a => a.Kind == "size"));
        Assert.Equal(5 * rounds, polled.Length);

        // Caught up: the next poll waits (the relay closes it with 204: no spin), and a round then pulls nothing and asks
        // GET checkpoint once (no note is kept).
        Assert.Null(await client.WaitForChangeAsync(first.RelaySize!.Value));
        before = asked.Count;
        Assert.Equal(0, (await follower.SyncAsync(client)).Pulled);
        Assert.Equal(1, asked.Skip(before).Count(a => a.Kind == "latest"));

        // The same log followed by plain rounds (no long poll): two GET checkpoint a round (the pull that reads the ops,
        // the pull that finds it caught up). Its inception reaches the follower through the long poll too; then both
        // hold the same state and witnessed the same checkpoint, the relay's latest.
        var plainAsked = new List<Asked>();
        using var countedHttp = new HttpClient(new Recording(plainAsked, null, new SocketsHttpHandler())) { BaseAddress = new Uri(host.Urls[0] + "/") };
        await using var reader = await World.NewNodeAsync("dev-plain", World.Trusted(relay));
        var plain = World.Client(countedHttp);
        var round = await reader.SyncAsync(plain);
        Assert.Equal(relay.Size, round.Pulled);
        Assert.Equal(2, plainAsked.Count(a => a.Kind == "latest"));
        Assert.Equal(relay.Size, await client.WaitForChangeAsync(first.RelaySize!.Value).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, (await follower.SyncAsync(client)).Pulled);
        Assert.Equal(0, (await reader.SyncAsync(plain)).Pulled);
        Assert.Equal(reader.StateHash(), follower.StateHash());
        Assert.Equal(relay.Size, follower.WitnessedCheckpoint!.Size);
        Assert.Equal(reader.WitnessedCheckpoint, follower.WitnessedCheckpoint);
        Assert.Equal(await LatestAsync(relay), follower.WitnessedCheckpoint);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_kept_note_serves_one_pull_that_starts_before_it_and_a_pull_at_or_past_it_or_after_it_was_used_asks_the_relay()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        var asked = new List<Asked>();
        using var http = new HttpClient(new Recording(asked, null, new SocketsHttpHandler())) { BaseAddress = new Uri(host.Urls[0] + "/") };
        var client = World.Client(http);
        using var plainHttp = World.Http(host);
        var writer = World.Client(plainHttp);
        var chain = World.Chain("author-k", 29).Select(o => o.Bytes).ToArray();
        await writer.PushAsync(chain[..10]);
        Assert.Equal(10, (await client.PullAsync(0, 1000)).Ops.Count);

        async Task<(PullResponse Page, Asked[] Asked)> PullAsync(long from, int max)
        {
            var before = asked.Count;
            var page = await client.PullAsync(from, max);
            return (page, asked.Skip(before).ToArray());
        }

        await writer.PushAsync(chain[10..20]);
        Assert.Equal(20, await client.WaitForChangeAsync(10));
        await writer.PushAsync(chain[20..25]);

        // Past the kept note (20): the relay is asked, and the answer goes forward to 25, not back to 20.
        var (past, pastAsked) = await PullAsync(22, 1000);
        Assert.Equal([22L, 23, 24], past.Ops.Select(o => o.Position));
        Assert.Equal(25, past.RelaySize);
        Assert.Equal(1, pastAsked.Count(a => a.Kind == "latest"));
        var (at, atAsked) = await PullAsync(25, 1000);
        Assert.Empty(at.Ops);
        Assert.Equal(25, at.RelaySize);
        Assert.Equal(1, atAsked.Count(a => a.Kind == "latest"));

        // Before it: read up to it without asking, and handed exactly that checkpoint (the relay's own note of size 20).
        var (kept, keptAsked) = await PullAsync(3, 1000);
        Assert.Equal(Enumerable.Range(3, 17).Select(i => (long)i), kept.Ops.Select(o => o.Position));
        Assert.Equal(20, kept.RelaySize);
        Assert.Equal(await relay.GetCheckpointAsync(20), kept.Checkpoint);
        Assert.DoesNotContain(keptAsked, a => a.Kind is "latest" or "size");

        // Used: the same pull again asks the relay (the newest checkpoint, 25).
        var (again, againAsked) = await PullAsync(3, 1000);
        Assert.Equal(22, again.Ops.Count);
        Assert.Equal(25, again.RelaySize);
        Assert.Equal(await relay.GetCheckpointAsync(25), again.Checkpoint);
        Assert.Equal(1, againAsked.Count(a => a.Kind == "latest"));

        // A pull of fewer ops than the kept note covers gets the checkpoint of exactly the prefix it ends at.
        await writer.PushAsync(chain[25..]);
        Assert.Equal(30, await client.WaitForChangeAsync(25));
        var (part, partAsked) = await PullAsync(4, 5);
        Assert.Equal([4L, 5, 6, 7, 8], part.Ops.Select(o => o.Position));
        Assert.Equal(30, part.RelaySize);
        Assert.Equal(await relay.GetCheckpointAsync(9), part.Checkpoint);
        Assert.Equal(["size"], partAsked.Where(a => a.Kind != "bundle").Select(a => a.Kind));

        // Two polls answered with the same note: two pulls may start from it, the third asks.
        await writer.PushAsync(World.Chain("author-k2", 2).Select(o => o.Bytes).ToArray());
        Assert.Equal(33, await client.WaitForChangeAsync(30));
        Assert.Equal(33, await client.WaitForChangeAsync(31));
        Assert.Equal(0, (await PullAsync(30, 1000)).Asked.Count(a => a.Kind == "latest"));
        Assert.Equal(0, (await PullAsync(31, 1000)).Asked.Count(a => a.Kind == "latest"));
        Assert.Equal(1, (await PullAsync(32, 1000)).Asked.Count(a => a.Kind == "latest"));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Nodes_sharing_one_client_each_start_from_the_note_their_long_polls_brought_and_converge()
    {
        // The fleet's observers share one client per relay: three nodes polling at once, all woken by one push, each
        // pull the new ops from the kept note and ask GET checkpoint only to find themselves caught up.
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        var asked = new List<Asked>();
        using var http = new HttpClient(new Recording(asked, null, new SocketsHttpHandler())) { BaseAddress = new Uri(host.Urls[0] + "/") };
        var client = World.Client(http);
        using var plainHttp = World.Http(host);
        var writer = World.Client(plainHttp);
        var nodes = new[] { await World.NewNodeAsync("dev-share-0", World.Trusted(relay)), await World.NewNodeAsync("dev-share-1", World.Trusted(relay)), await World.NewNodeAsync("dev-share-2", World.Trusted(relay)) };
        try
        {
            await World.ConvergeAsync(client, nodes);
            var chain = World.Chain("author-share", 39).Select(o => o.Bytes).ToArray();
            for (var at = 0; at < chain.Length; at += 8)
            {
                var size = relay.Size;
                var polls = nodes.Select(_ => client.WaitForChangeAsync(size)).ToArray();
                await writer.PushAsync(chain[at..(at + 8)]);
                Assert.All(await Task.WhenAll(polls).WaitAsync(TimeSpan.FromSeconds(10)), s => Assert.Equal(relay.Size, s));
                var before = asked.Count;
                var rounds = await Task.WhenAll(nodes.Select(n => n.SyncAsync(client)));
                Assert.All(rounds, r => Assert.Equal((false, 8, relay.Size), (r.Offline, r.Pulled, r.RelaySize!.Value)));
                Assert.Equal(nodes.Length, asked.Skip(before).Count(a => a.Kind == "latest"));
            }

            Assert.Single(nodes.Select(n => n.StateHash()).Distinct());
            Assert.All(nodes, n => Assert.Equal(relay.Size, n.WitnessedCheckpoint!.Size));
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_long_poll_note_that_does_not_parse_or_names_another_log_is_not_kept_and_the_next_pull_asks_the_relay()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        // Another relay's log of the same ledger, under its own origin and key, longer than this one.
        var other = new Sync.Relay(new RelayOptions { Ledger = World.Ledger, CheckpointKey = World.Key("other-relay", 0), Origin = "elsewhere.example/http-test" }, new InMemoryRelayStore());
        await other.PushAsync(World.Chain("author-o", 40).Select(o => o.Bytes).ToArray());
        var foreign = (await other.GetCheckpointAsync(null))!;
        byte[]? lie = null;
        var asked = new List<Asked>();
        using var http = new HttpClient(new Recording(asked, () => lie, new SocketsHttpHandler())) { BaseAddress = new Uri(host.Urls[0] + "/") };
        var client = World.Client(http);
        using var plainHttp = World.Http(host);
        var writer = World.Client(plainHttp);
        await using var follower = await World.NewNodeAsync("dev-lied-to", World.Trusted(relay));
        var chain = World.Chain("author-l", 19).Select(o => o.Bytes).ToArray();
        await writer.PushAsync(chain[..5]);
        Assert.Equal(6, (await follower.SyncAsync(client)).Pulled); // with its own inception

        // Another log's note on the long poll: its size is reported as before, but no pull starts from it — the node
        // pulls its own relay's ops (it would refuse the other origin as another log, SyncException).
        await writer.PushAsync(chain[5..10]);
        lie = foreign;
        Assert.Equal(41, await client.WaitForChangeAsync(6));
        lie = null;
        var before = asked.Count;
        var round = await follower.SyncAsync(client);
        Assert.Equal((false, 5, 11L), (round.Offline, round.Pulled, round.RelaySize));
        Assert.Equal(2, asked.Skip(before).Count(a => a.Kind == "latest"));

        // Bytes that are no checkpoint: refused typed as before, nothing kept.
        await writer.PushAsync(chain[10..]);
        lie = "not a note\n"u8.ToArray();
        var refused = await Assert.ThrowsAsync<RelayUnavailableException>(() => client.WaitForChangeAsync(11));
        Assert.Contains(RelayCall.GetCheckpoint.ToString(), refused.Message, StringComparison.Ordinal);
        lie = null;
        before = asked.Count;
        round = await follower.SyncAsync(client);
        Assert.Equal((false, 10, 21L), (round.Offline, round.Pulled, round.RelaySize));
        Assert.Equal(2, asked.Skip(before).Count(a => a.Kind == "latest"));
        Assert.Equal(await LatestAsync(relay), follower.WitnessedCheckpoint);
    }

    private static async Task<RelayCheckpoint> LatestAsync(Sync.Relay relay)
    {
        Assert.True(RelayCheckpoint.TryParse(SignedNote.Parse((await relay.GetCheckpointAsync(null))!), out var checkpoint, out var problem), problem);
        return checkpoint!;
    }

    private sealed record Asked(string Method, string PathAndQuery, HttpStatusCode Status)
    {
        /// <summary>latest (GET checkpoint), after (the long poll), size (GET checkpoint?size=), bundle, or other.</summary>
        public string Kind => Method != "GET" ? "other"
            : PathAndQuery.EndsWith("/checkpoint", StringComparison.Ordinal) ? "latest"
            : PathAndQuery.Contains("/checkpoint?after=", StringComparison.Ordinal) ? "after"
            : PathAndQuery.Contains("/checkpoint?size=", StringComparison.Ordinal) ? "size"
            : PathAndQuery.Contains("/tile/entries/", StringComparison.Ordinal) ? "bundle"
            : "other";
    }

    /// <summary>Records every request; with <c>lie</c> returning bytes, the long poll's answer is replaced by them (a
    /// proxy or a relay behind the same address answering with something else).</summary>
    private sealed class Recording(List<Asked> asked, Func<byte[]?>? lie, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var path = request.RequestUri!.PathAndQuery;
            if (lie?.Invoke() is { } bytes && path.Contains("/checkpoint?after=", StringComparison.Ordinal) && response.StatusCode == HttpStatusCode.OK)
            {
                response.Content = new ByteArrayContent(bytes);
            }

            lock (asked) asked.Add(new Asked(request.Method.Method, path, response.StatusCode));
            return response;
        }
    }
}
