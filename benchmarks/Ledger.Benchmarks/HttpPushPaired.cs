using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Sync.AspNetCore;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.Http;

namespace Ledger.Benchmarks;

/// <summary>Push over HTTP on loopback (HttpRelayClient → Kestrel → LedgerRelayServer → Relay) against in-process
/// <see cref="Relay.Push"/> of the same pre-signed ops, in bracketed paired rounds (in-process, HTTP, in-process … so
/// a drifting host shows in both) after untimed warm-up rounds, with p50/p99 push latency per device count. Each round uses fresh in-memory relays,
/// so both sides ingest the same new authors. Run: <c>dotnet run -c Release --project benchmarks/Ledger.Benchmarks --
/// --http-push-paired &lt;devices&gt; [rounds] [ops per device]</c> (issue 17 asks for 1, 16 and 256 devices).</summary>
public static class HttpPushPaired
{
    private const string Ledger = "bench-http";

    public static async Task RunAsync(int devices, int rounds, int opsPerDevice, int batch = 64)
    {
        // LEDGER_BENCH_SPANS=1 prints, per round and side, the mean duration of each Ledger span (relay ingest, the
        // server's request span), to see where the HTTP side's time goes beyond the ingest both sides share.
        using var spans = Environment.GetEnvironmentVariable("LEDGER_BENCH_SPANS") == "1" ? new SpanTotals() : null;
        var chains = Enumerable.Range(0, devices).Select(d => Chain($"dev-{d}", opsPerDevice)).ToArray();
        var ratios = new List<double>();
        var latencies = new List<TimeSpan>();
        // Warm-up, not counted: at least two rounds and 300 HTTP pushes, so both sides' code (Kestrel's, the client's
        // and the relay's) runs tier-1 JIT code before anything is timed. With one device a round is 8 pushes, and the
        // runtime promotes a method after 30 calls: before this, the first rounds timed the HTTP side partly in tier-0
        // code while the in-process side, the same ingest, was already hot.
        var pushesPerRound = devices * ((opsPerDevice + batch - 1) / batch);
        var warmUps = Math.Max(2, (300 + pushesPerRound - 1) / pushesPerRound);
        for (var w = 0; w < warmUps; w++)
        {
            InProcess(chains, batch);
            await OverHttpAsync(chains, batch);
        }

        spans?.Clear();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up: {warmUps} rounds ({warmUps * pushesPerRound} HTTP pushes), not counted"));
        for (var round = 0; round < rounds; round++)
        {
            var before = InProcess(chains, batch);
            spans?.Print("in-process");
            var (http, lat) = await OverHttpAsync(chains, batch);
            spans?.Print("http");
            var after = InProcess(chains, batch);
            spans?.Clear();
            var inProcess = (before + after) / 2;
            ratios.Add(inProcess.TotalSeconds / http.TotalSeconds);
            latencies.AddRange(lat);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: in-process {inProcess.TotalMilliseconds:F1} ms, http {http.TotalMilliseconds:F1} ms, ratio {ratios[^1]:F3}"));
        }

        ratios.Sort();
        latencies.Sort();
        var p = (double q) => latencies.Count == 0 ? 0 : latencies[(int)Math.Min(latencies.Count - 1, latencies.Count * q)].TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"devices={devices} ops={devices * opsPerDevice} batch={batch} median ratio (in-process time / http time)={ratios[ratios.Count / 2]:F3} push p50={p(0.5):F2}ms p99={p(0.99):F2}ms"));
    }

    private static TimeSpan InProcess(SignedOp[][] chains, int batch)
    {
        var relay = NewRelay();
        var started = Stopwatch.GetTimestamp();
        Parallel.ForEach(chains, chain =>
        {
            // Benchmark threads without a synchronization context; the in-memory store completes synchronously.
            for (var i = 0; i < chain.Length; i += batch) relay.PushAsync(chain.Skip(i).Take(batch).Select(o => o.Bytes).ToArray()).GetAwaiter().GetResult();
        });
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<(TimeSpan Elapsed, List<TimeSpan> Latencies)> OverHttpAsync(SignedOp[][] chains, int batch)
    {
        var relay = NewRelay();
        await using var host = await LedgerRelayHost.StartAsync(new LedgerRelayServer(new LedgerRelayOptions().AddLedger(relay)), ["http://127.0.0.1:0"]);
        using var http = new HttpClient { BaseAddress = new Uri(host.Urls[0] + "/") };
        var client = new HttpRelayClient(http, new HttpRelayClientOptions { Ledger = Ledger });
        var latencies = new List<TimeSpan>();
        // The connection is opened before the clock starts (the in-process side has no connection to open).
        await client.GetCheckpointAsync(null);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(chains.Select(async chain =>
        {
            for (var i = 0; i < chain.Length; i += batch)
            {
                var at = Stopwatch.GetTimestamp();
                await client.PushAsync(chain.Skip(i).Take(batch).Select(o => o.Bytes).ToArray());
                var took = Stopwatch.GetElapsedTime(at);
                lock (latencies) latencies.Add(took);
            }
        }));
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (relay.Size != chains.Sum(c => c.Length)) throw new InvalidOperationException("the HTTP relay did not take every op.");
        return (elapsed, latencies);
    }

    // LEDGER_BENCH_VERIFY_THREADS=n sets RelayOptions.VerifyThreads on both sides (default: one per core).
    private static Relay NewRelay() => new(new RelayOptions
    {
        Ledger = Ledger,
        CheckpointKey = Key("bench-relay", 0),
        VerifyThreads = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_BENCH_VERIFY_THREADS"), NumberStyles.None, CultureInfo.InvariantCulture, out var threads) ? threads : null,
    }, new InMemoryRelayStore());

    private static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{index}")).ToArray());

    private static SignedOp[] Chain(string label, int ops)
    {
        var log = AuthorLog.Incept(Ledger, label, Key(label, 0), Key(label, 1).Public.Digest, out var inception);
        var chain = new List<SignedOp> { inception };
        for (var i = 1; i < ops; i++) chain.Add(log.Append(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:" + (i % 100), i)));
        return chain.ToArray();
    }

    /// <summary>Mean duration per span name of the Ledger activity sources, since the last print.</summary>
    private sealed class SpanTotals : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly Dictionary<string, (double Ms, int Count)> _totals = new(StringComparer.Ordinal);

        public SpanTotals()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name.StartsWith("Ledger", StringComparison.Ordinal),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStopped = a =>
                {
                    lock (_totals)
                    {
                        var t = _totals.GetValueOrDefault(a.OperationName);
                        _totals[a.OperationName] = (t.Ms + a.Duration.TotalMilliseconds, t.Count + 1);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public void Print(string side)
        {
            lock (_totals)
            {
                foreach (var (name, (ms, count)) in _totals.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {side} {name}: mean {ms / count:F3} ms over {count}"));
                }

                _totals.Clear();
            }
        }

        public void Clear()
        {
            lock (_totals) _totals.Clear();
        }

        public void Dispose() => _listener.Dispose();
    }
}
