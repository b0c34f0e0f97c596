using System.Diagnostics;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using NSec.Cryptography;
using Npgsql;

namespace Ledger.Benchmarks;

/// <summary>Issue 18: relay ingest into PostgreSQL against SQLite and raw NSec verify of the same ops on the same
/// threads, and two relay instances against one on one database. <c>--pg-ingest &lt;threads&gt; [rounds]</c>; the server is
/// <c>LEDGER_PG</c> (a role with CREATEDB; a database is created for the run and dropped after). Each round ingests a
/// fresh data set of 6 authors × 1,001 ops, interleaved, in batches of 256.</summary>
internal static class PostgreSqlIngest
{
    private const string LedgerName = "bench";

    public static async Task RunAsync(int threads, int rounds)
    {
        var server = Environment.GetEnvironmentVariable("LEDGER_PG") is { Length: > 0 } pg ? pg : "Host=localhost;Username=ledger;Password=ledger;Database=ledger";
        var database = "ledger_bench_" + Guid.NewGuid().ToString("N")[..12];
        Execute(server, $"CREATE DATABASE \"{database}\";");
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();
        var folder = Path.Combine(Path.GetTempPath(), "ledger-bench-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            for (var round = -1; round < rounds; round++)
            {
                var chains = DataSet(round + 1);
                var all = Enumerable.Range(0, chains[0].Count).SelectMany(i => chains.Select(c => c[i])).ToList();
                var raw = Time(() => RawVerify(all, threads));
                var sqlite = await TimeAsync(async () =>
                {
                    using var store = new SqliteRelayStore(Path.Combine(folder, $"relay-{round + 1}.db"));
                    using var relay = new Relay(new RelayOptions { Ledger = LedgerName, VerifyThreads = threads }, store);
                    await PushAllAsync(relay, all);
                });
                var postgres = await TimeAsync(async () =>
                {
                    using var store = new PostgreSqlRelayStore(cs, $"one-{round + 1}");
                    using var relay = new Relay(new RelayOptions { Ledger = LedgerName, VerifyThreads = threads }, store);
                    await PushAllAsync(relay, all);
                });
                // Two instances (each its own store and pool, as two processes have), each pushing half the authors.
                var two = await TimeAsync(async () =>
                {
                    var halves = new[] { chains.Take(3), chains.Skip(3) }.Select(h => h.ToArray()).ToArray();
                    await Task.WhenAll(halves.Select(half => Task.Run(async () =>
                    {
                        using var store = new PostgreSqlRelayStore(cs, $"two-{round + 1}");
                        using var relay = new Relay(new RelayOptions { Ledger = LedgerName, VerifyThreads = Math.Max(1, threads / 2) }, store);
                        await PushAllAsync(relay, Enumerable.Range(0, half[0].Count).SelectMany(i => half.Select(c => c[i])).ToList());
                    })));
                });
                if (round < 0) continue;
                double PerSecond(TimeSpan t) => all.Count / t.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: {all.Count} ops; raw verify {PerSecond(raw):F0}/s, relay ingest SQLite {PerSecond(sqlite):F0}/s, PostgreSQL {PerSecond(postgres):F0}/s ({PerSecond(postgres) / PerSecond(raw):F2} of raw), two instances on one database {PerSecond(two):F0}/s"));
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Execute(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE);");
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task PushAllAsync(Relay relay, List<SignedOp> ops)
    {
        foreach (var batch in ops.Chunk(256))
        {
            var response = await relay.PushAsync(batch.Select(o => o.Bytes).ToArray());
            if (response.Results.Any(r => !r.Held)) throw new InvalidOperationException("the benchmark's ops must all be accepted");
        }
    }

    private static List<SignedOp>[] DataSet(int set) => Enumerable.Range(0, 6).Select(a =>
    {
        var seed = new byte[32];
        seed[0] = (byte)(a + 1);
        BitConverter.TryWriteBytes(seed.AsSpan(1), set);
        var key = SigningKey.FromSeed(seed);
        var log = AuthorLog.Incept(LedgerName, "till" + a, key, NextKeyDigest.Of(seed), out var inception);
        var chain = new List<SignedOp> { inception };
        for (var i = 0; i < 1000; i++) chain.Add(log.Append(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:" + (i % 100), i), at: i, opId: Guid.Empty));
        return chain;
    }).ToArray();

    private static int RawVerify(List<SignedOp> all, int threads)
    {
        var ok = 0;
        var publicKeys = all.Where(o => o.Op.Seq == 1).ToDictionary(o => o.Op.Author, o => VerificationKey.Import(KeyEvents.InceptVerb.DecodeArgs(o.Op.Args).PublicKey).Key);
        Parallel.ForEach(all.Chunk(256), new ParallelOptions { MaxDegreeOfParallelism = threads }, chunk =>
        {
            var local = chunk.Count(op => SignatureAlgorithm.Ed25519.Verify(publicKeys[op.Op.Author], op.SignedMessage, op.Signature));
            Interlocked.Add(ref ok, local);
        });
        return ok;
    }

    private static TimeSpan Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started);
    }

    private static void Execute(string cs, string sql)
    {
        using var connection = new NpgsqlConnection(cs);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
