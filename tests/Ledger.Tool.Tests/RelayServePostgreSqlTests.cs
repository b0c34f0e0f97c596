using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.Conformance;
using Ledger.Sync.Http;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Tool.Tests;

/// <summary><c>ledger relay serve --store postgres</c>: many processes over one database are one relay (one gapless
/// order, one checkpoint, long polls woken across processes); PostgreSQL unreachable at start is exit code 3 and one
/// line, and down during a run is a 503 problem while the process keeps serving.</summary>
public sealed class RelayServePostgreSqlTests(ITestOutputHelper output)
{
    private const string Ledger = ConformanceOps.Ledger;
    private const string Origin = "tool-test/pg-relay";
    private static readonly byte[] Seed = Hash32.Sha256("ledger relay serve --store postgres"u8).ToArray();

    [Fact]
    public void Relay_serve_on_postgres_unreachable_at_start_exits_3_with_one_line_naming_the_server_and_never_the_password()
    {
        var key = KeyFile();
        var port = FreePort();
        var run = ToolRun.Of("", "relay", "serve", "--store", "postgres", "--pg", $"Host=127.0.0.1;Port={port};Username=ledger;Password=sekrit-pw;Database=nowhere;Timeout=3",
            "--ledger", "shop", "--checkpoint-key", key, "--urls", "http://127.0.0.1:0");
        Assert.True(run.ExitCode == ExitCodes.Unavailable, run.ToString());
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.ToString());
        Assert.StartsWith("ledger relay serve: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("is unavailable", lines[0], StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("sekrit-pw", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", run.Error.Replace("'shop' (database", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void Relay_serve_on_postgres_refuses_a_command_line_or_files_it_cannot_serve_with_usage_or_input_errors()
    {
        var key = KeyFile();
        const string cs = "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d;Timeout=1";
        string[] Serve(params string[] more) => ["relay", "serve", "--ledger", "shop", "--urls", "http://127.0.0.1:0", .. more];

        var noDatabase = ToolRun.Of("", Serve("--store", "postgres", "--checkpoint-key", key));
        Assert.True(noDatabase.ExitCode == ExitCodes.Usage && noDatabase.Error.Contains("needs --pg", StringComparison.Ordinal), noDatabase.ToString());
        var noKey = ToolRun.Of("", Serve("--store", "postgres", "--pg", cs));
        Assert.True(noKey.ExitCode == ExitCodes.Usage && noKey.Error.Contains("--checkpoint-key", StringComparison.Ordinal), noKey.ToString());
        var missingKey = ToolRun.Of("", Serve("--store", "postgres", "--pg", cs, "--checkpoint-key", key + ".missing"));
        Assert.True(missingKey.ExitCode == ExitCodes.InvalidInput && missingKey.Error.Contains("does not exist", StringComparison.Ordinal), missingKey.ToString());
        var shortKey = Path.Combine(ToolFiles.NewFolder(), "short.key");
        File.WriteAllBytes(shortKey, new byte[31]);
        var badKey = ToolRun.Of("", Serve("--store", "postgres", "--pg", cs, "--checkpoint-key", shortKey));
        Assert.True(badKey.ExitCode == ExitCodes.InvalidInput && badKey.Error.Contains("31 bytes", StringComparison.Ordinal), badKey.ToString());
        var notConnectionString = ToolRun.Of("", Serve("--store", "postgres", "--pg", "Hoast=x;Password=sekrit-pw", "--checkpoint-key", key));
        Assert.True(notConnectionString.ExitCode == ExitCodes.Usage && notConnectionString.Error.Contains("not a PostgreSQL connection string", StringComparison.Ordinal), notConnectionString.ToString());
        Assert.DoesNotContain("sekrit-pw", notConnectionString.Error, StringComparison.Ordinal);
        var pgWithSqlite = ToolRun.Of("", Serve("--store", Path.Combine(ToolFiles.NewFolder(), "relay.db"), "--pg", cs));
        Assert.True(pgWithSqlite.ExitCode == ExitCodes.Usage, pgWithSqlite.ToString());

        var map = Path.Combine(ToolFiles.NewFolder(), "map.json");
        File.WriteAllText(map, "{\"ledgers\": {\"shop\": 12}}");
        var badMap = ToolRun.Of("", Serve("--store", "postgres", "--pg-map", map, "--checkpoint-key", key));
        Assert.True(badMap.ExitCode == ExitCodes.InvalidInput && badMap.Error.Contains("ledgers.\"shop\" is a connection string", StringComparison.Ordinal), badMap.ToString());
        File.WriteAllText(map, "{\"ledgers\": {\"shop\": ");
        var notJson = ToolRun.Of("", Serve("--store", "postgres", "--pg-map", map, "--checkpoint-key", key));
        Assert.True(notJson.ExitCode == ExitCodes.InvalidInput && notJson.Error.Contains("is not JSON (line 1", StringComparison.Ordinal), notJson.ToString());
        File.WriteAllText(map, "{\"prefixes\": {\"other-\": \"" + cs + "\"}}");
        var unmapped = ToolRun.Of("", Serve("--store", "postgres", "--pg-map", map, "--checkpoint-key", key));
        Assert.True(unmapped.ExitCode == ExitCodes.InvalidInput && unmapped.Error.Contains("no PostgreSQL database is mapped for ledger 'shop'", StringComparison.Ordinal), unmapped.ToString());
        foreach (var run in new[] { noDatabase, noKey, missingKey, badKey, notConnectionString, pgWithSqlite, badMap, notJson, unmapped })
        {
            Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        }
    }

    [PostgreSqlFact]
    [Trait("Risk", "G1")]
    public async Task Two_relay_serve_processes_on_one_database_are_one_relay_gapless_positions_one_checkpoint_and_long_polls_woken_across_them()
    {
        var db = PostgreSqlServer.CreateDatabase("serve");
        try
        {
            var key = KeyFile();
            // The database through a map file (no password on the command line), the same key file for both.
            var map = Path.Combine(ToolFiles.NewFolder(), "map.json");
            File.WriteAllText(map, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, Dictionary<string, string>> { ["ledgers"] = new() { [Ledger] = db } }));
            string[] serve = ["--store", "postgres", "--pg-map", map, "--ledger", Ledger, "--checkpoint-key", key, "--origin", Origin, "--urls", "http://127.0.0.1:0", "--public"];
            var starting = new[] { Task.Run(() => new ServeProcess(serve)), Task.Run(() => new ServeProcess(serve)) };
            using var a = await starting[0];
            using var b = await starting[1];
            Assert.Equal(Vkey(a.FirstLine), Vkey(b.FirstLine));
            var trusted = NoteKey.Create(Origin, SigningKey.FromSeed(Seed).Public);
            Assert.Equal(trusted.ToVkey(), Vkey(a.FirstLine));
            using var httpA = new HttpClient { BaseAddress = new Uri(a.Url + "/"), Timeout = TimeSpan.FromSeconds(60) };
            using var httpB = new HttpClient { BaseAddress = new Uri(b.Url + "/"), Timeout = TimeSpan.FromSeconds(60) };
            var clients = new[] { new HttpRelayClient(httpA, new HttpRelayClientOptions { Ledger = Ledger }), new HttpRelayClient(httpB, new HttpRelayClientOptions { Ledger = Ledger }) };
            var chains = Enumerable.Range(0, 6).Select(i => ConformanceOps.Chain("serve-" + i, 40)).ToArray();
            var acks = new Dictionary<OpRef, long>();

            // A long poll on B (timeout 25 s) is woken by a push to A.
            var poll = clients[1].WaitForChangeAsync(0);
            await Task.Delay(500);
            Assert.False(poll.IsCompleted);
            var clock = Stopwatch.StartNew();
            Record(acks, await clients[0].PushAsync([chains[0][0].Bytes]));
            Assert.Equal(1, await poll.WaitAsync(TimeSpan.FromSeconds(20)));
            var woken = clock.Elapsed;
            Assert.True(woken < TimeSpan.FromSeconds(5), $"the long poll on B took {woken.TotalMilliseconds:F0} ms");

            // Devices push their chains in batches to either process, a third of the batches to both at once.
            await Task.WhenAll(chains.Select((chain, i) => Task.Run(async () =>
            {
                var rng = new Random(i);
                for (var next = i == 0 ? 1 : 0; next < chain.Count;)
                {
                    var batch = chain.Skip(next).Take(1 + rng.Next(8)).Select(o => o.Bytes).ToArray();
                    var first = rng.Next(2);
                    var pushes = rng.Next(3) == 0 ? [clients[first].PushAsync(batch), clients[1 - first].PushAsync(batch)] : new[] { clients[first].PushAsync(batch) };
                    var held = (await Task.WhenAll(pushes)).Select(r => Record(acks, r)).Max();
                    Assert.Equal(batch.Length, held);
                    next += held;
                }
            })));

            // The database's order: gapless (the store refuses a gap), each (author, seq) once, every ack where it was told.
            var log = new List<StoredOp>();
            using (var store = new PostgreSqlRelayStore(db, Ledger))
            {
                for (IReadOnlyList<StoredOp> page; (page = await store.ReadAsync(log.Count, 4096)).Count > 0;) log.AddRange(page);
            }

            Assert.Equal(chains.Sum(c => c.Count), log.Count);
            Assert.Equal(Enumerable.Range(0, log.Count).Select(p => (long)p), log.Select(o => o.Position));
            Assert.Equal(log.Count, log.Select(o => (o.Author, o.Seq)).Distinct().Count());
            var at = log.ToDictionary(o => new OpRef(o.Author, o.Seq), o => o.Position);
            lock (acks)
            {
                Assert.Equal(log.Count, acks.Count);
                foreach (var (op, position) in acks) Assert.Equal(position, at[op]);
            }

            // Both processes serve the same checkpoint: the one a single relay with that key signs over that order.
            var fromA = await clients[0].GetCheckpointAsync(null);
            var fromB = await clients[1].GetCheckpointAsync(null);
            Assert.Equal(fromA, fromB);
            using var single = new Relay(new RelayOptions { Ledger = Ledger, Origin = Origin, CheckpointKey = SigningKey.FromSeed(Seed) }, new InMemoryRelayStore());
            foreach (var chunk in log.Chunk(256)) await single.PushAsync(chunk.Select(o => o.Bytes).ToArray());
            Assert.Equal(await single.GetCheckpointAsync(), fromA);
            var (checkpoint, _, verdict) = RelayCheckpoint.Open(fromA, trusted);
            Assert.True(verdict.Ok, verdict.Reason);
            Assert.Equal(log.Count, checkpoint.Size);
            output.WriteLine($"{log.Count} ops, {acks.Count} acknowledged, long poll on B woken {woken.TotalMilliseconds:F0} ms after a push to A");
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    [PostgreSqlFact]
    [Trait("Risk", "G1")]
    public async Task Relay_serve_on_postgres_answers_503_problem_unavailable_while_the_database_is_down_and_serves_again_once_it_is_back()
    {
        var db = PostgreSqlServer.CreateDatabase("down");
        try
        {
            var target = new NpgsqlConnectionStringBuilder(db);
            using var gate = new TcpGate(target.Host!, target.Port);
            var viaGate = new NpgsqlConnectionStringBuilder(db) { Host = "127.0.0.1", Port = gate.Port, Timeout = 10 }.ToString();
            using var serve = new ServeProcess("--store", "postgres", "--pg", viaGate, "--ledger", Ledger, "--checkpoint-key", KeyFile(), "--origin", Origin, "--urls", "http://127.0.0.1:0", "--public");
            using var http = new HttpClient { BaseAddress = new Uri(serve.Url + "/"), Timeout = TimeSpan.FromSeconds(60) };
            var client = new HttpRelayClient(http, new HttpRelayClientOptions { Ledger = Ledger });
            var chain = ConformanceOps.Chain("down", 20);
            Assert.Equal(10, Record([], await client.PushAsync(chain.Take(10).Select(o => o.Bytes).ToArray())));

            gate.Close();
            using (var raw = new HttpRequestMessage(HttpMethod.Get, $"v1/ledgers/{Ledger}/checkpoint"))
            {
                raw.Headers.Add(RelayHttp.ProtocolHeader, RelayHttp.ProtocolVersion);
                using var answer = await http.SendAsync(raw);
                var body = await answer.Content.ReadAsStringAsync();
                Assert.True(answer.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)answer.StatusCode} {body}");
                Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
                Assert.Contains("\"code\":\"unavailable\"", body, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
                Assert.NotNull(answer.Headers.RetryAfter);
            }

            var e = await Assert.ThrowsAsync<RelayUnavailableException>(() => client.PushAsync(chain.Skip(10).Select(o => o.Bytes).ToArray()));
            Assert.Contains("503 unavailable", e.Message, StringComparison.Ordinal);
            Assert.False(serve.HasExited, "the relay process exited while the database was down");

            gate.Open();
            var deadline = Stopwatch.StartNew();
            var held = 0;
            while (held == 0)
            {
                try
                {
                    held = Record([], await client.PushAsync(chain.Skip(10).Select(o => o.Bytes).ToArray()));
                }
                catch (RelayUnavailableException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(200);
                }
            }

            Assert.Equal(chain.Count - 10, held);
            Assert.Equal(chain.Count, (await client.PullAsync(0, 100)).Ops.Count);
        }
        finally
        {
            PostgreSqlServer.DropDatabase(db);
        }
    }

    private static int Record(Dictionary<OpRef, long> acks, IngestResponse response)
    {
        var held = 0;
        lock (acks)
        {
            foreach (var r in response.Results)
            {
                if (!r.Held) break;
                var op = r.Op!.Value;
                if (acks.TryGetValue(op, out var earlier)) Assert.True(earlier == r.Position, $"{op} acknowledged at {earlier} and then at {r.Position}");
                else acks[op] = r.Position!.Value;
                held++;
            }
        }

        return held;
    }

    private static string KeyFile()
    {
        var path = Path.Combine(ToolFiles.NewFolder(), "relay.key");
        File.WriteAllBytes(path, Seed);
        return path;
    }

    private static string Vkey(string line) => line[(line.IndexOf(" vkey=", StringComparison.Ordinal) + 6)..].Split(' ')[0];

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
