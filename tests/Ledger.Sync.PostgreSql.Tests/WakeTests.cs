using System.Diagnostics;
using Ledger.Sync.AspNetCore;
using Ledger.Sync.Conformance;
using Ledger.Sync.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>Long polls across instances: a device long-polling instance B is woken when instance A stores ops (NOTIFY in
/// A's ingest transaction, LISTEN on B: PostgreSqlRelayListener), and still — by polling — when B's listening session
/// is lost.</summary>
public sealed class WakeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_long_poll_on_instance_B_is_woken_by_a_push_to_instance_A_well_before_its_timeout()
    {
        var db = PostgreSqlServer.CreateDatabase("wake");
        try
        {
            using var storeA = new PostgreSqlRelayStore(db, Fleet.Ledger);
            using var storeB = new PostgreSqlRelayStore(db, Fleet.Ledger);
            await using var listener = new PostgreSqlRelayListener(db, [storeB]);
            var (elapsed, size, pulled) = await PushToAWhileBLongPollsAsync(storeA, storeB, () => listener.IsListening);
            output.WriteLine($"woken after {elapsed.TotalMilliseconds:F0} ms; {listener.Notifications} notifications, {listener.Polls} polls");
            Assert.Equal(5, size);
            Assert.Equal(5, pulled);
            Assert.True(elapsed < TimeSpan.FromSeconds(3), $"the long poll on B took {elapsed.TotalMilliseconds:F0} ms (timeout {PollTimeout.TotalSeconds} s)");
            Assert.True(listener.Notifications > 0, "B was not notified");
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_long_poll_on_instance_B_is_still_woken_by_polling_while_its_listening_session_is_lost()
    {
        var db = PostgreSqlServer.CreateDatabase("wakepoll");
        try
        {
            var target = new NpgsqlConnectionStringBuilder(db);
            using var gate = new TcpGate(target.Host!, target.Port);
            var viaGate = new NpgsqlConnectionStringBuilder(db) { Host = "127.0.0.1", Port = gate.Port, Timeout = 2 }.ToString();
            using var storeA = new PostgreSqlRelayStore(db, Fleet.Ledger);
            using var storeB = new PostgreSqlRelayStore(db, Fleet.Ledger);
            // Only the listening session goes through the gate: closing it loses the session, the stores keep working.
            await using var listener = new PostgreSqlRelayListener(viaGate, [storeB], TimeSpan.FromMilliseconds(500));
            await WaitUntilAsync(() => listener.IsListening);
            gate.Close();
            await WaitUntilAsync(() => !listener.IsListening);
            var (elapsed, size, pulled) = await PushToAWhileBLongPollsAsync(storeA, storeB, () => !listener.IsListening);
            output.WriteLine($"woken after {elapsed.TotalMilliseconds:F0} ms; {listener.SessionsLost} sessions lost, {listener.Polls} polls");
            Assert.Equal(5, size);
            Assert.Equal(5, pulled);
            Assert.True(elapsed < TimeSpan.FromSeconds(3), $"the long poll on B took {elapsed.TotalMilliseconds:F0} ms (timeout {PollTimeout.TotalSeconds} s)");
            Assert.False(listener.IsListening);

            // Back: it listens again.
            gate.Open();
            await WaitUntilAsync(() => listener.IsListening);
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Relays_registered_with_UsePostgreSql_learn_of_each_others_ingests_without_a_request_of_their_own()
    {
        var db = PostgreSqlServer.CreateDatabase("wakedi");
        try
        {
            ServiceProvider Instance()
            {
                var services = new ServiceCollection();
                services.AddLedgerSync(relay: o => o.Ledger = Fleet.Ledger).AddLedgerRelay().UsePostgreSql(db);
                return services.BuildServiceProvider();
            }

            await using var a = Instance();
            await using var b = Instance();
            var relayA = a.GetRequiredService<Relay>();
            var relayB = b.GetRequiredService<Relay>();
            Assert.Equal(0, relayB.Size);
            var pushed = await relayA.PushAsync(ConformanceOps.Chain("wake-di", 4).Select(o => o.Bytes).ToArray());
            Assert.All(pushed.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
            // B is asked nothing: only its listener can move its size on.
            var clock = Stopwatch.StartNew();
            while (relayB.Size != 5 && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
            Assert.Equal(5, relayB.Size);
            output.WriteLine($"B saw A's ingest after {clock.Elapsed.TotalMilliseconds:F0} ms");
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    // B serves HTTP; a long poll on it from size 0, then five ops pushed through A (in-process, its own store and pool):
    // how long the long poll took, the size it answered, and the ops B then serves (all visible once woken).
    private static async Task<(TimeSpan Elapsed, long? Size, int Pulled)> PushToAWhileBLongPollsAsync(PostgreSqlRelayStore storeA, PostgreSqlRelayStore storeB, Func<bool> ready)
    {
        using var relayA = new Relay(new RelayOptions { Ledger = Fleet.Ledger, Origin = Fleet.Origin, CheckpointKey = Fleet.Key() }, storeA);
        using var relayB = new Relay(new RelayOptions { Ledger = Fleet.Ledger, Origin = Fleet.Origin, CheckpointKey = Fleet.Key() }, storeB);
        var options = new LedgerRelayOptions { LongPollTimeout = PollTimeout }.AddLedger(relayB, isPublic: true);
        await using var host = await LedgerRelayHost.StartAsync(new LedgerRelayServer(options), ["http://127.0.0.1:0"]);
        using var http = new HttpClient { BaseAddress = new Uri(host.Urls[0] + "/"), Timeout = TimeSpan.FromSeconds(60) };
        var client = new HttpRelayClient(http, new HttpRelayClientOptions { Ledger = Fleet.Ledger });
        await WaitUntilAsync(ready);
        Assert.Equal(0, relayB.Size);

        var poll = client.WaitForChangeAsync(0);
        await Task.Delay(500);
        Assert.False(poll.IsCompleted, "the long poll answered before anything was pushed");
        var chain = ConformanceOps.Chain("wake", 4);
        var clock = Stopwatch.StartNew();
        var pushed = await relayA.PushAsync(chain.Select(o => o.Bytes).ToArray());
        Assert.All(pushed.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
        var size = await poll;
        var elapsed = clock.Elapsed;
        var pulled = await client.PullAsync(0, 100);
        return (elapsed, size, pulled.Ops.Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "timed out waiting");
            await Task.Delay(20);
        }
    }
}
