using Ledger.Kernel;
using Ledger.Sync.AspNetCore;
using Ledger.Sync.Conformance;
using Ledger.Sync.Http;
using Npgsql;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>PostgreSQL gone during a run (sessions cut, connections refused — a restart): the relay answers 503
/// problem <c>unavailable</c>, the pusher backs off and retries, and once the server is back everything converges with
/// nothing acknowledged lost.</summary>
public sealed class UnavailableTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task PostgreSQL_gone_mid_run_is_a_503_unavailable_problem_and_the_pushes_converge_once_it_is_back()
    {
        var target = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        using var gate = new TcpGate(target.Host!, target.Port);
        var viaGate = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = gate.Port, Timeout = 2 }.ToString();
        using var store = new PostgreSqlRelayStore(viaGate, Fleet.Ledger);
        using var relay = new Relay(new RelayOptions { Ledger = Fleet.Ledger, Origin = Fleet.Origin, CheckpointKey = Fleet.Key() }, store);
        await using var host = await LedgerRelayHost.StartAsync(new LedgerRelayServer(new LedgerRelayOptions().AddLedger(relay, isPublic: true)), ["http://127.0.0.1:0"]);
        var client = Fleet.Client(host.Urls[0], out var http);
        using var _ = http;
        var chain = ConformanceOps.Chain("gone", 40);
        var acks = new Fleet.Acknowledgements();
        Assert.Equal(10, acks.Record(await client.PushAsync(chain.Take(10).Select(o => o.Bytes).ToArray())));

        gate.Close();
        // A raw request: the problem document itself.
        using (var raw = new HttpRequestMessage(HttpMethod.Get, $"v1/ledgers/{Fleet.Ledger}/checkpoint"))
        {
            raw.Headers.Add(RelayHttp.ProtocolHeader, RelayHttp.ProtocolVersion);
            using var answer = await http.SendAsync(raw);
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal(RelayHttp.ProblemMediaType, answer.Content.Headers.ContentType?.MediaType);
            Assert.Contains("\"code\":\"unavailable\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.NotNull(answer.Headers.RetryAfter);
        }

        var e = await Assert.ThrowsAsync<RelayUnavailableException>(() => client.PushAsync(chain.Skip(10).Take(10).Select(o => o.Bytes).ToArray()));
        Assert.Contains("503 unavailable", e.Message, StringComparison.Ordinal);

        // The pusher backs off and retries while the server comes back.
        var reopen = Task.Delay(1500).ContinueWith(_ => gate.Open(), TaskScheduler.Default);
        var retries = 0;
        for (var next = 10; next < chain.Count;)
        {
            try
            {
                next += acks.Record(await client.PushAsync(chain.Skip(next).Take(10).Select(o => o.Bytes).ToArray()));
            }
            catch (RelayUnavailableException)
            {
                retries++;
                await Task.Delay(200);
            }
        }

        await reopen;
        Assert.True(retries > 0);
        var log = await Fleet.AssertOneOrderAsync(database.ConnectionString, acks.Snapshot());
        Assert.Equal(chain.Count, log.Count);
        Assert.Equal(await Fleet.InProcessCheckpointAsync(log), await client.GetCheckpointAsync(null));
    }
}
