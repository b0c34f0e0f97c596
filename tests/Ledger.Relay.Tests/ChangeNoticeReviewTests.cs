using System.Diagnostics;
using System.Net;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;

namespace Ledger.Relay.Tests;

/// <summary>The review of how the relay tells waiting clients that a ledger grew (Signal, the long poll, the event
/// stream, ChangeNoticeInterval): hostile and odd clients, clients that leave, a host that stops.</summary>
public sealed class ChangeNoticeReviewTests
{
    private static string Path(string call) => $"v1/ledgers/{World.Ledger}/{call}";

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Stopping_the_host_answers_open_long_polls_204_and_ends_event_streams_at_once()
    {
        // Default bounds: a long poll 25 s, an event stream 5 minutes. Kestrel's graceful stop waits for open requests:
        // before the fix a stop with these open took the host's whole shutdown timeout (30 s).
        var relay = World.NewRelay();
        var host = await World.StartAsync(o => o.AddLedger(relay));
        try
        {
            using var http = World.Http(host);
            await relay.PushAsync(World.Chain("stopping", 0).Select(o => o.Bytes).ToArray());
            var poll = http.GetAsync(Path("checkpoint?after=1"));
            using var events = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, Path("events?after=0")), HttpCompletionOption.ResponseHeadersRead);
            var stream = new StreamReader(await events.Content.ReadAsStreamAsync()).ReadToEndAsync();
            var waiting = host.Server.Options.Ledgers[0].Changed;
            await Until(() => waiting.Watchers == 2);

            var watch = Stopwatch.StartNew();
            await host.StopAsync();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the stop took {watch.Elapsed}");
            using var answer = await poll.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
            Assert.Contains("data: 1", await stream.WaitAsync(TimeSpan.FromSeconds(5)), StringComparison.Ordinal);
            Assert.Equal(0, waiting.Watchers);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Odd_after_values_are_400_problems_and_an_after_beyond_the_log_is_answered_at_once()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.LongPollTimeout = TimeSpan.FromSeconds(60);
        });
        using var http = World.Http(host);
        await relay.PushAsync(World.Chain("odd-after", 1).Select(o => o.Bytes).ToArray());

        string[] odd = ["-1", "abc", "", "+1", "01", "1.0", "1e3", "%201", "0x10", "9223372036854775807", "99999999999999999999999", "١"];
        foreach (var call in new[] { "checkpoint", "events" })
        {
            foreach (var after in odd)
            {
                using var refused = await http.GetAsync(Path($"{call}?after={after}")).WaitAsync(TimeSpan.FromSeconds(10));
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                Assert.Equal(RelayHttp.ProblemMediaType, refused.Content.Headers.ContentType!.MediaType);
                Assert.Contains("\"code\":\"bad-request\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            using var repeated = await http.GetAsync(Path($"{call}?after=1&after=2")).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(HttpStatusCode.BadRequest, repeated.StatusCode);
        }

        using var both = await http.GetAsync(Path("checkpoint?after=1&size=1")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);

        // Beyond the log (a relay that lost data, as the client sees it): the latest checkpoint at once, never a wait.
        using var beyond = await http.GetAsync(Path("checkpoint?after=999999999999999999")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, beyond.StatusCode);
        Assert.StartsWith($"ledger-relay/{World.Ledger}\n2\n", await beyond.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, host.Server.Options.Ledgers[0].Changed.Watchers);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData("99999999999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("007")]
    [InlineData("1, 2")]
    public async Task Odd_last_event_ids_start_the_stream_with_the_current_size(string lastEventId)
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        await relay.PushAsync(World.Chain("odd-id", 2).Select(o => o.Bytes).ToArray());
        var request = new HttpRequestMessage(HttpMethod.Get, Path("events"));
        request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? line;
        do line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        while (line is not null && !line.StartsWith("data: ", StringComparison.Ordinal));
        Assert.Equal("data: 3", line);
    }

    [Fact]
    public async Task An_event_source_reconnecting_to_its_first_url_resumes_from_its_last_event_id_not_from_the_after_in_the_url()
    {
        // A browser's EventSource reconnects to the URL it was opened with (events?after=N, N from when it opened) and adds
        // Last-Event-ID: the last size it was sent. Before the fix the stale after won, and every reconnect (at least each
        // EventStreamTimeout) announced a size the client already had.
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        await relay.PushAsync(World.Chain("resumed", 2).Select(o => o.Bytes).ToArray());
        var request = new HttpRequestMessage(HttpMethod.Get, Path("events?after=0"));
        request.Headers.TryAddWithoutValidation("Last-Event-ID", "3");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(10));
        await Until(() => host.Server.Options.Ledgers[0].Changed.Watchers == 1);
        await World.Client(http).PushAsync(World.Chain("resumed-2", 0).Select(o => o.Bytes).ToArray());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? line;
        do line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        while (line is not null && !line.StartsWith("data: ", StringComparison.Ordinal));
        Assert.Equal("data: 4", line);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Long_polls_and_event_streams_that_time_out_or_whose_client_leaves_are_all_uncounted_and_the_recheck_stops()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.LongPollTimeout = TimeSpan.FromMilliseconds(500);
            o.EventStreamTimeout = TimeSpan.FromSeconds(60);
        });
        var signal = host.Server.Options.Ledgers[0].Changed;
        using var http = World.Http(host);
        for (var round = 0; round < 3; round++)
        {
            using var leave = new CancellationTokenSource();
            var timingOut = Enumerable.Range(0, 30).Select(_ => http.GetAsync(Path("checkpoint?after=0"))).ToArray();
            var leaving = Enumerable.Range(0, 30).Select(_ => http.GetAsync(Path("checkpoint?after=0"), leave.Token)).ToArray();
            var streams = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
                http.SendAsync(new HttpRequestMessage(HttpMethod.Get, Path("events?after=0")), HttpCompletionOption.ResponseHeadersRead, leave.Token)));
            await Until(() => signal.Watchers >= 40);
            Assert.True(signal.Rechecking);

            // Half the polls and every stream leave mid-wait (the client disconnects); the others time out (204).
            await leave.CancelAsync();
            foreach (var stream in streams) stream.Dispose();
            foreach (var poll in timingOut) Assert.Equal(HttpStatusCode.NoContent, (await poll.WaitAsync(TimeSpan.FromSeconds(10))).StatusCode);
            foreach (var poll in leaving) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll);
            await Until(() => signal.Watchers == 0);
            await Until(() => !signal.Rechecking);
        }

        // The relay still wakes the next waiter.
        var next = World.Client(http).WaitForChangeAsync(0);
        await Until(() => signal.Watchers == 1);
        await relay.PushAsync(World.Chain("after-leaving", 0).Select(o => o.Bytes).ToArray());
        Assert.Equal(1, await next.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Two_announcements_at_once_never_leave_the_announced_size_below_the_size_the_later_one_read()
    {
        // Two pushes answered at once each announce (Pulse): each reads the store's size and publishes it. When the
        // earlier reading was published last, the announced size went back to before the later push, and a poll holding
        // that size slept through the later push — until the recheck (250 ms) and, with an interval, that much longer.
        long stored = 10;
        using var firstRead = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        var reads = 0;
        var signal = new Signal(() =>
        {
            var size = Volatile.Read(ref stored);
            if (Interlocked.Increment(ref reads) == 1)
            {
                firstRead.Set();
                releaseFirst.Wait(TimeSpan.FromSeconds(10));
            }

            return size;
        });

        var earlier = Task.Run(signal.Pulse);
        Assert.True(firstRead.Wait(TimeSpan.FromSeconds(10)));
        Volatile.Write(ref stored, 11);
        var later = Task.Run(signal.Pulse);
        await later.WaitAsync(TimeSpan.FromSeconds(10));
        releaseFirst.Set();
        await Task.WhenAll(earlier, later).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(11, signal.Noticed);
    }

    [Fact]
    public async Task A_store_that_cannot_say_its_size_never_makes_an_announcement_throw_and_the_waiters_are_still_woken()
    {
        // IRelayStore is public: a store of someone else's may throw from Count when closed or unreachable. The recheck
        // timer already took that; an announcement did not — thrown to the push that had stored its ops (a 503 for
        // stored ops) and, deferred by an interval, from a timer callback, which ends the process.
        var failing = false;
        var signal = new Signal(() => Volatile.Read(ref failing) ? throw new StoreUnavailableException("the test store", "closed") : 4);
        using (signal.Watch())
        {
            Assert.Equal(4, signal.Noticed);
            Volatile.Write(ref failing, true);
            var next = signal.Next;
            signal.Pulse();
            await next.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(4, signal.Noticed);
        }

        // The first waiter after a quiet spell reads the size too: it is counted, and uncounted when it leaves.
        Assert.Equal(0, signal.Watchers);
        using (signal.Watch())
        {
            Assert.Equal(1, signal.Watchers);
            Assert.True(signal.Rechecking);
        }

        Assert.Equal(0, signal.Watchers);
        Assert.False(signal.Rechecking);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task With_a_change_notice_interval_a_device_that_pulls_between_its_polls_is_answered_at_most_once_an_interval()
    {
        // The device's poll is answered, it pulls (nobody waits meanwhile), a push lands, the device polls again. Before
        // the fix the first waiter to arrive took the store's size as announced, so the device was answered at once — once
        // a push, whatever the interval (docs/http-protocol.md promises at most once an interval).
        var relay = World.NewRelay();
        var interval = TimeSpan.FromMilliseconds(1500);
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.LongPollTimeout = TimeSpan.FromSeconds(60);
            o.ChangeNoticeInterval = interval;
        });
        var signal = host.Server.Options.Ledgers[0].Changed;
        using var http = World.Http(host);
        var client = World.Client(http);
        var chain = World.Chain("puller", 3).Select(o => o.Bytes).ToArray();

        var first = client.WaitForChangeAsync(0);
        await Until(() => signal.Watchers == 1);
        await client.PushAsync([chain[0]]);
        Assert.Equal(1, await first.WaitAsync(TimeSpan.FromSeconds(10)));
        var answered = Stopwatch.StartNew();
        await Until(() => signal.Watchers == 0);

        // Pulling: nobody waits. Two pushes land.
        await client.PushAsync([chain[1]]);
        await client.PushAsync([chain[2]]);
        var second = await client.WaitForChangeAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = answered.Elapsed;
        Assert.Equal(3, second);
        Assert.True(elapsed >= interval - TimeSpan.FromMilliseconds(500), $"answered again {elapsed.TotalMilliseconds:0} ms after the last answer; the interval is {interval.TotalMilliseconds:0} ms");

        // And the last growth is announced within the interval once the pushes stop.
        answered.Restart();
        var third = client.WaitForChangeAsync(3);
        await Until(() => signal.Watchers == 1);
        await client.PushAsync([chain[3]]);
        Assert.Equal(4, await third.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.InRange(answered.Elapsed, interval - TimeSpan.FromMilliseconds(500), interval + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task With_a_change_notice_interval_growth_by_other_means_is_announced_within_the_recheck_and_the_interval()
    {
        // Ops another instance stored reach this server only as a larger store size (the relay object pushed directly
        // stands for that): the shared recheck finds them, and the interval folds them like pushes through the server.
        var relay = World.NewRelay();
        var interval = TimeSpan.FromMilliseconds(1200);
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.LongPollTimeout = TimeSpan.FromSeconds(60);
            o.ChangeNoticeInterval = interval;
        });
        var signal = host.Server.Options.Ledgers[0].Changed;
        using var http = World.Http(host);
        var client = World.Client(http);
        var chain = World.Chain("elsewhere", 2).Select(o => o.Bytes).ToArray();

        var first = client.WaitForChangeAsync(0);
        await Until(() => signal.Watchers == 1);
        var watch = Stopwatch.StartNew();
        await relay.PushAsync([chain[0]]);
        Assert.Equal(1, await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(watch.Elapsed < Signal.Recheck + TimeSpan.FromSeconds(3), $"answered after {watch.Elapsed}");
        watch.Restart();

        var second = client.WaitForChangeAsync(1);
        await relay.PushAsync([chain[1]]);
        await relay.PushAsync([chain[2]]);
        Assert.Equal(3, await second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.InRange(watch.Elapsed, interval - TimeSpan.FromMilliseconds(500), interval + Signal.Recheck + TimeSpan.FromSeconds(3));
        await Until(() => signal.Watchers == 0);
        await Until(() => !signal.Rechecking);
    }

    [Fact]
    public async Task Over_the_sqlite_host_odd_sizes_and_positions_are_typed_problems_and_long_polls_get_checkpoints_of_held_sizes()
    {
        var dir = Directory.CreateTempSubdirectory("h48-notice-");
        try
        {
            var options = new LedgerRelayHostOptions
            {
                StorePath = System.IO.Path.Combine(dir.FullName, "relay.db"),
                Ledger = World.Ledger,
                Configure = o => o.LongPollTimeout = TimeSpan.FromSeconds(30),
            };
            options.Urls.Clear();
            options.Urls.Add("http://127.0.0.1:0");
            await using var host = await LedgerRelayHost.StartAsync(options);
            using var http = World.Http(host);
            var client = World.Client(http);
            var relay = host.Server.Options.Ledgers[0].Relay;
            var polls = Enumerable.Range(0, 20).Select(_ => client.WaitForChangeAsync(0)).ToArray();
            var chain = World.Chain("sqlite-poller", 5).Select(o => o.Bytes).ToArray();
            foreach (var op in chain) await client.PushAsync([op]);
            foreach (var poll in polls)
            {
                var size = await poll.WaitAsync(TimeSpan.FromSeconds(10));
                Assert.InRange(size!.Value, 1, relay.Size);
            }

            foreach (var path in new[]
            {
                "checkpoint?size=999999999999999999", "checkpoint?size=7", "tile/0/x999/999", "tile/entries/x999/999/999",
                "tile/63/x999/x999/x999/x999/x999/999", "proof/consistency?from=1&to=999999999999999999",
                "proof/consistency?from=5&to=2", "proof/inclusion?index=999999999999999998&size=999999999999999999",
                "proof/inclusion?index=6&size=6", "authors/sqlite-poller/ops?from=999999999999999999",
            })
            {
                using var answer = await http.GetAsync(Path(path)).WaitAsync(TimeSpan.FromSeconds(10));
                var body = await answer.Content.ReadAsStringAsync();
                Assert.True(answer.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.OK, $"{path}: {(int)answer.StatusCode} {body}");
                if (answer.StatusCode != HttpStatusCode.OK) Assert.Equal(RelayHttp.ProblemMediaType, answer.Content.Headers.ContentType!.MediaType);
            }

            Assert.Equal(6, await client.WaitForChangeAsync(0).WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(600)]
    [Trait("Risk", "G1")]
    public async Task Pollers_racing_concurrent_pushes_all_reach_the_last_size_within_the_interval_and_the_recheck_and_are_answered_at_most_once_an_interval(int intervalMs)
    {
        var interval = TimeSpan.FromMilliseconds(intervalMs);
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.LongPollTimeout = TimeSpan.FromSeconds(60);
            o.ChangeNoticeInterval = interval;
        });
        var signal = host.Server.Options.Ledgers[0].Changed;
        using var http = World.Http(host);
        var client = World.Client(http);
        const int authors = 4, ops = 15;
        var chains = Enumerable.Range(0, authors).Select(a => World.Chain($"racer-{a}", ops - 1).Select(o => o.Bytes).ToArray()).ToArray();
        const long last = authors * ops;

        using var stop = new CancellationTokenSource();
        var pollers = Enumerable.Range(0, 16).Select(p => Task.Run(async () =>
        {
            long held = 0;
            var answers = new List<TimeSpan>();
            var clock = Stopwatch.StartNew();
            while (held < last && !stop.IsCancellationRequested)
            {
                if (await client.WaitForChangeAsync(held, stop.Token) is not { } size) continue;
                Assert.True(size > held, $"poller {p} held {held} and was answered {size}");
                answers.Add(clock.Elapsed);
                held = size;
                // Some pollers pull between polls (nobody of theirs waits meanwhile).
                if (p % 2 == 1) await Task.Delay(Random.Shared.Next(0, 30));
            }

            return (held, answers);
        })).ToArray();

        // Pushes at once from several authors, half of them by other means (the relay object: another instance).
        await Task.WhenAll(chains.Select((chain, a) => Task.Run(async () =>
        {
            foreach (var op in chain)
            {
                if (a % 2 == 0) await client.PushAsync([op]);
                else await relay.PushAsync([op]);
                await Task.Delay(Random.Shared.Next(0, 15));
            }
        })));
        Assert.Equal(last, relay.Size);
        var stopped = Stopwatch.StartNew();
        var results = await Task.WhenAll(pollers).WaitAsync(interval + Signal.Recheck + TimeSpan.FromSeconds(5));
        Assert.All(results, r => Assert.Equal(last, r.held));
        if (intervalMs > 0)
        {
            // Answered at most once an interval (with a little slack for timer resolution).
            foreach (var (_, answers) in results)
            {
                for (var i = 1; i < answers.Count; i++)
                {
                    // Slack for the answers' own latency under load; the defect answered twice a few ms apart.
                    Assert.True(answers[i] - answers[i - 1] >= interval - TimeSpan.FromMilliseconds(250), $"answered twice {(answers[i] - answers[i - 1]).TotalMilliseconds:0} ms apart");
                }
            }
        }

        await Until(() => signal.Watchers == 0);
        await Until(() => !signal.Rechecking);
    }

    [Fact]
    public async Task Beyond_max_waiting_a_long_poll_or_event_stream_is_a_503_problem_with_retry_after_and_an_answer_due_now_is_still_given()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.LongPollTimeout = TimeSpan.FromSeconds(60);
            o.MaxWaiting = 3;
            o.WaitingRetryAfter = TimeSpan.FromSeconds(7);
        });
        using var http = World.Http(host);
        await relay.PushAsync(World.Chain("capped", 0).Select(o => o.Bytes).ToArray());
        using var leave = new CancellationTokenSource();
        var held = Enumerable.Range(0, 2).Select(_ => http.GetAsync(Path("checkpoint?after=1"), leave.Token)).ToArray();
        using var stream = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, Path("events?after=1")), HttpCompletionOption.ResponseHeadersRead, leave.Token);
        await Until(() => host.Server.Waiting == 3);

        foreach (var call in new[] { "checkpoint?after=1", "events?after=1" })
        {
            using var refused = await http.GetAsync(Path(call)).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter!.Delta);
            Assert.Equal(RelayHttp.ProblemMediaType, refused.Content.Headers.ContentType!.MediaType);
            Assert.Contains("\"code\":\"unavailable\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The .NET client takes it as a relay it cannot use now (it backs off), not as a refusal of its request.
        await Assert.ThrowsAsync<RelayUnavailableException>(() => World.Client(http).WaitForChangeAsync(1));
        // An answer due now is not a wait: given, full or not.
        using (var due = await http.GetAsync(Path("checkpoint?after=0")).WaitAsync(TimeSpan.FromSeconds(10))) Assert.Equal(HttpStatusCode.OK, due.StatusCode);

        await leave.CancelAsync();
        stream.Dispose();
        foreach (var poll in held) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll);
        await Until(() => host.Server.Waiting == 0);
        var next = World.Client(http).WaitForChangeAsync(1);
        await Until(() => host.Server.Waiting == 1);
        await relay.PushAsync(World.Chain("capped-2", 0).Select(o => o.Bytes).ToArray());
        Assert.Equal(2, await next.WaitAsync(TimeSpan.FromSeconds(10)));
        await Until(() => host.Server.Waiting == 0);
    }

    private static async Task Until(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the condition did not hold within 10 s");
            await Task.Delay(20);
        }
    }
}
