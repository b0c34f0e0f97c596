using System.Diagnostics;
using System.Globalization;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Marten;
using NSec.Cryptography;
using Npgsql;

namespace Ledger.Benchmarks;

/// <summary>Issue 18: relay ingest into PostgreSQL against SQLite and raw NSec verify of the same ops on the same
/// threads; side by side with Marten's quick append of the same number of events, in the same batches, into the same
/// server with an inline projection; two relay instances against one on one database, and the store's sequencing alone
/// (pre-verified ops, one store against two). <c>--pg-ingest &lt;threads&gt; [rounds] [ops per author]</c>; the server is
/// <c>LEDGER_PG</c> (a role with CREATEDB; a database is created for the run and dropped after). Each round ingests a
/// fresh data set of 6 authors × (1 + ops per author, default 1,000) ops, interleaved, in batches of 256; the Marten and
/// Ledger figures of a round are taken back to back (paired), their order alternating from round to round.</summary>
internal static class PostgreSqlIngest
{
    private const string LedgerName = "bench";
    private const int Batch = 256;

    public static async Task RunAsync(int threads, int rounds, int opsPerAuthor = 1000, bool phases = false, int pushers = 1)
    {
        if (pushers is < 1 or > 6) throw new ArgumentOutOfRangeException(nameof(pushers), "1 to 6 pushers (the data set has 6 authors).");
        var server = Environment.GetEnvironmentVariable("LEDGER_PG") is { Length: > 0 } pg ? pg : "Host=localhost;Username=ledger;Password=ledger;Database=ledger";
        var database = "ledger_bench_" + Guid.NewGuid().ToString("N")[..12];
        Execute(server, $"CREATE DATABASE \"{database}\";");
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();
        var folder = Path.Combine(Path.GetTempPath(), "ledger-bench-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var marten = DocumentStore.For(o =>
        {
            o.Connection(cs);
            o.DatabaseSchemaName = "marten_bench";
            o.Events.AppendMode = EventAppendMode.Quick;
            // The inline projection: each till's running total, updated in the transaction that appends its events.
            o.Projections.Snapshot<TillTotal>(SnapshotLifecycle.Inline);
        });
        var ratios = new List<double>();
        var cpuRatios = new List<double>();
        var scaleOut = new List<double>();
        // One pool for the single-instance ingest and for sequencing, for the whole run, as Marten's document store has
        // its own for the whole run: a pool a round would charge Ledger's rounds with opening and authenticating
        // connections (and Npgsql's type loading) that Marten's rounds never pay.
        var source = NpgsqlDataSource.Create(cs);
        using var meter = new CpuMeter(cs);
        try
        {
            for (var round = -1; round < rounds; round++)
            {
                var chains = DataSet(round + 1, opsPerAuthor);
                var all = Enumerable.Range(0, chains[0].Count).SelectMany(i => chains.Select(c => c[i])).ToList();
                var raw = Time(() => RawVerify(all, threads));
                var sqlite = await TimeAsync(async () =>
                {
                    using var store = new SqliteRelayStore(Path.Combine(folder, $"relay-{round + 1}.db"));
                    using var relay = new Relay(new RelayOptions { Ledger = LedgerName, VerifyThreads = threads }, store);
                    await PushAllAsync(relay, all);
                });
                // With K pushers the authors are split K ways, each share interleaved as `all` is, pushed at once into one
                // relay (its group commit may put two pushers' batches in one transaction, as a relay under load does).
                var shares = Enumerable.Range(0, pushers).Select(k => chains.Where((_, i) => i % pushers == k).ToArray())
                    .Select(share => Enumerable.Range(0, share[0].Count).SelectMany(i => share.Select(c => c[i])).ToList()).ToArray();
                async Task<Measured> LedgerAsync() => await MeasureAsync(meter, async () =>
                {
                    using var store = new PostgreSqlRelayStore(source, $"one-{round + 1}");
                    using var relay = new Relay(new RelayOptions { Ledger = LedgerName, VerifyThreads = threads }, store);
                    if (pushers == 1) await PushAllAsync(relay, all);
                    else await Task.WhenAll(shares.Select(share => Task.Run(() => PushAllAsync(relay, share))));
                });

                // The same number of events, in the same batches (one session and SaveChanges a batch), the same authors
                // as streams; an event carries what a posting op's args carry.
                var streams = chains.ToDictionary(c => c[0].Op.Author, _ => Guid.NewGuid());
                async Task AppendAllAsync(List<SignedOp> ops)
                {
                    foreach (var batch in ops.Chunk(Batch))
                    {
                        await using var session = marten.LightweightSession();
                        foreach (var stream in batch.GroupBy(o => o.Op.Author))
                        {
                            session.Events.Append(streams[stream.Key],
                                stream.Select(o => (object)new Posted("acct:" + (o.Op.Seq % 100), (long)o.Op.Seq)).ToArray());
                        }

                        await session.SaveChangesAsync();
                    }
                }

                async Task<Measured> MartenAsync() => await MeasureAsync(meter, async () =>
                {
                    if (pushers == 1) await AppendAllAsync(all);
                    else await Task.WhenAll(shares.Select(share => Task.Run(() => AppendAllAsync(share))));
                });

                Measured postgres, quickAppend;
                if (round % 2 == 0)
                {
                    postgres = await LedgerAsync();
                    quickAppend = await MartenAsync();
                }
                else
                {
                    quickAppend = await MartenAsync();
                    postgres = await LedgerAsync();
                }

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
                // Sequencing alone: the verified ops stored by one store, then by two at once (half the authors each),
                // each batch one transaction under the counter row's lock, the tree extended in it.
                var stored = all.Select(o => new StoredOp(0, o.Op.Author, o.Op.Seq, o.ChainHash, o.Bytes, KeyEvents.IsKeyEvent(o.Op))).ToList();
                var oneStore = await MeasureAsync(meter, async () =>
                {
                    using var store = new PostgreSqlRelayStore(source, $"seq-one-{round + 1}");
                    foreach (var batch in stored.Chunk(Batch)) await store.AppendSequencedAsync(batch);
                });
                var twoStores = await TimeAsync(async () =>
                {
                    var authors = chains.Take(3).Select(c => c[0].Op.Author).ToHashSet();
                    await Task.WhenAll(new[] { stored.Where(o => authors.Contains(o.Author)), stored.Where(o => !authors.Contains(o.Author)) }.Select(half => Task.Run(async () =>
                    {
                        using var store = new PostgreSqlRelayStore(cs, $"seq-two-{round + 1}");
                        foreach (var batch in half.Chunk(Batch)) await store.AppendSequencedAsync(batch);
                    })));
                });
                if (round < 0) continue;
                if (phases) Console.WriteLine(await PhasesAsync(all, threads));
                double PerSecond(TimeSpan t) => all.Count / t.TotalSeconds;
                string Cpu(Measured m) => string.Create(CultureInfo.InvariantCulture, $"{m.Client * 1e6 / all.Count:F0}+{m.Server * 1e6 / all.Count:F0}={(m.Client + m.Server) * 1e6 / all.Count:F0} µs/op");
                ratios.Add(PerSecond(postgres.Wall) / PerSecond(quickAppend.Wall));
                cpuRatios.Add((postgres.Client + postgres.Server) / (quickAppend.Client + quickAppend.Server));
                scaleOut.Add(PerSecond(two) / PerSecond(postgres.Wall));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: {all.Count} ops; raw verify {PerSecond(raw):F0}/s, relay ingest SQLite {PerSecond(sqlite):F0}/s, PostgreSQL {PerSecond(postgres.Wall):F0}/s ({PerSecond(postgres.Wall) / PerSecond(raw):F2} of raw), Marten quick append + inline projection {PerSecond(quickAppend.Wall):F0}/s (Ledger/Marten {PerSecond(postgres.Wall) / PerSecond(quickAppend.Wall):F2}), two relay instances on one database {PerSecond(two):F0}/s ({PerSecond(two) / PerSecond(postgres.Wall):F2} of one); sequencing alone: one store {PerSecond(oneStore.Wall):F0}/s, two stores {PerSecond(twoStores):F0}/s"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  CPU (client + PostgreSQL backends): Ledger ingest {Cpu(postgres)}, Marten {Cpu(quickAppend)} (Ledger/Marten {cpuRatios[^1]:F2}), sequencing alone {Cpu(oneStore)}; load average {LoadAverage()}"));
            }

            if (ratios.Count > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"median over {ratios.Count} rounds ({pushers} pusher(s) / Marten session(s) at once): Ledger relay ingest on PostgreSQL / Marten quick append = {Median(ratios):F2} (events/s); CPU per op Ledger / Marten = {Median(cpuRatios):F2}; two relay instances / one = {Median(scaleOut):F2}"));
            }
        }
        finally
        {
            marten.Dispose();
            source.Dispose();
            NpgsqlConnection.ClearAllPools();
            using (var admin = new NpgsqlConnection(server))
            {
                admin.Open();
                Ledger.Tests.PostgreSqlDatabases.Drop(admin, database);
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static async Task PushAllAsync(Relay relay, List<SignedOp> ops)
    {
        foreach (var batch in ops.Chunk(Batch))
        {
            var response = await relay.PushAsync(batch.Select(o => o.Bytes).ToArray());
            if (response.Results.Any(r => !r.Held)) throw new InvalidOperationException("the benchmark's ops must all be accepted");
        }
    }

    private static List<SignedOp>[] DataSet(int set, int opsPerAuthor) => Enumerable.Range(0, 6).Select(a =>
    {
        var seed = new byte[32];
        seed[0] = (byte)(a + 1);
        BitConverter.TryWriteBytes(seed.AsSpan(1), set);
        var key = SigningKey.FromSeed(seed);
        var log = AuthorLog.Incept(LedgerName, "till" + a, key, NextKeyDigest.Of(seed), out var inception);
        var chain = new List<SignedOp> { inception };
        for (var i = 0; i < opsPerAuthor; i++) chain.Add(log.Append(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:" + (i % 100), i), at: i, opId: Guid.Empty));
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

    // CPU per op of the client-side parts of ingest, each alone, one thread (the process's CPU time: nothing else runs in
    // it meanwhile): decoding (canonical re-encode and chain hash), the Merkle leaf hash, Ed25519 through
    // VerifySignature, and the whole relay over an in-memory store (what the relay costs without a database).
    private static async Task<string> PhasesAsync(List<SignedOp> all, int threads)
    {
        var bytes = all.Select(o => o.Bytes).ToArray();
        var keys = all.Where(o => o.Op.Seq == 1).ToDictionary(o => o.Op.Author, o => VerificationKey.Import(KeyEvents.InceptVerb.DecodeArgs(o.Op.Args).PublicKey));
        double PerOp(Action action)
        {
            using var process = Process.GetCurrentProcess();
            var before = process.TotalProcessorTime;
            action();
            process.Refresh();
            return (process.TotalProcessorTime - before).TotalMicroseconds / all.Count;
        }

        var decode = PerOp(() => { foreach (var b in bytes) SignedOpCodec.Decode(b); });
        var leaf = PerOp(() => { foreach (var b in bytes) MerkleTree.LeafHash(b.Span); });
        var verify = PerOp(() => { foreach (var o in all) o.VerifySignature(keys[o.Op.Author]); });
        double relay;
        {
            using var process = Process.GetCurrentProcess();
            var before = process.TotalProcessorTime;
            using var store = new InMemoryRelayStore();
            using var r = new Relay(new RelayOptions { Ledger = LedgerName, VerifyThreads = threads }, store);
            await PushAllAsync(r, all);
            process.Refresh();
            relay = (process.TotalProcessorTime - before).TotalMicroseconds / all.Count;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"  client CPU per op, alone: decode {decode:F1} µs, leaf hash {leaf:F1} µs, signature check {verify:F1} µs; relay over an in-memory store {relay:F1} µs");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed record Measured(TimeSpan Wall, double Client, double Server);

    // Wall time, and the CPU of this process and of the database's backends (read before the pools close).
    private static async Task<Measured> MeasureAsync(CpuMeter meter, Func<Task> action)
    {
        var before = meter.Read();
        var started = Stopwatch.GetTimestamp();
        await action();
        var wall = Stopwatch.GetElapsedTime(started);
        var (client, server) = meter.Read().Since(before);
        return new Measured(wall, client, server);
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

/// <summary>A Marten event of the side-by-side benchmark: what a posting op's args carry.</summary>
public sealed record Posted(string Account, long Amount);

/// <summary>The inline projection of the side-by-side benchmark: a till's running total (one document per stream).</summary>
public sealed class TillTotal
{
    public Guid Id { get; set; }

    public long Total { get; set; }

    public int Count { get; set; }

    public void Apply(Posted posted)
    {
        ArgumentNullException.ThrowIfNull(posted);
        Total += posted.Amount;
        Count++;
    }
}
