using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using NSec.Cryptography;

namespace Ledger.Benchmarks;

/// <summary>Relay ingest (verify signatures, chains and key state, persist to SQLite, acknowledge) against raw
/// NSec Verify of the same messages, on the same number of threads. One relay store for the whole run, as a relay
/// runs for months: each iteration ingests 10,005 new ops of five new authors (made outside the measured region).
/// A fresh store per iteration measured a new file's growing WAL on every commit's flush, which a running relay
/// pays once in its life.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class RelayIngest
{
    private const string LedgerName = "bench";
    private readonly List<ReadOnlyMemory<byte>[]> _batches = [];
    private List<SignedOp> _all = [];
    private string _folder = "";
    private SqliteRelayStore? _store;
    private Relay? _relay;
    private int _dataSet;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "ledger-bench-relay");
        Directory.CreateDirectory(_folder);
        foreach (var f in Directory.GetFiles(_folder)) File.Delete(f);
        _store = new SqliteRelayStore(Path.Combine(_folder, "relay-" + Guid.NewGuid().ToString("N") + ".db"));
        _relay = new Relay(new RelayOptions { Ledger = LedgerName, VerifyThreads = Threads }, _store);
    }

    /// <summary>The next 10,005 ops: five new authors of 2,001 ops each, interleaved the way a relay sees them, in
    /// batches of 256.</summary>
    [IterationSetup]
    public void NextDataSet()
    {
        var set = _dataSet++;
        var chains = Enumerable.Range(0, 5).Select(a =>
        {
            var seed = new byte[32];
            seed[0] = (byte)(a + 1);
            BitConverter.TryWriteBytes(seed.AsSpan(1), set);
            var key = SigningKey.FromSeed(seed);
            var log = AuthorLog.Incept(LedgerName, "till" + a, key, NextKeyDigest.Of(seed), out var inception);
            var chain = new List<SignedOp> { inception };
            for (var i = 0; i < 2000; i++) chain.Add(log.Append(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:" + (i % 100), i), at: i, opId: Guid.Empty));
            return chain;
        }).ToArray();

        _all = Enumerable.Range(0, chains[0].Count).SelectMany(i => chains.Select(c => c[i])).ToList();
        _batches.Clear();
        _batches.AddRange(_all.Chunk(256).Select(c => c.Select(o => o.Bytes).ToArray()));
    }

    [GlobalCleanup]
    public void DropStore()
    {
        _store?.Dispose();
        _store = null;
        foreach (var f in Directory.GetFiles(_folder)) File.Delete(f);
    }

    [Benchmark(Baseline = true, Description = "raw NSec Verify, same messages")]
    public int RawVerify()
    {
        var ok = 0;
        var keys = _all.Select(o => o.Op.Author).Distinct().ToDictionary(a => a, a => _all.First(o => o.Op.Author == a && o.Op.Seq == 1));
        var publicKeys = keys.ToDictionary(k => k.Key, k => VerificationKey.Import(KeyEvents.InceptVerb.DecodeArgs(k.Value.Op.Args).PublicKey).Key);
        Parallel.ForEach(_all.Chunk(256), new ParallelOptions { MaxDegreeOfParallelism = Threads }, chunk =>
        {
            var local = 0;
            foreach (var op in chunk)
            {
                if (SignatureAlgorithm.Ed25519.Verify(publicKeys[op.Op.Author], op.SignedMessage, op.Signature)) local++;
            }

            Interlocked.Add(ref ok, local);
        });
        return ok;
    }

    [Benchmark(Description = "Relay.Push (verify + SQLite persist + ack)")]
    public long Ingest()
    {
        foreach (var batch in _batches) _relay!.PushAsync(batch).GetAwaiter().GetResult();
        return _relay!.Size;
    }
}

/// <summary>Durable appends on a device (sign, SQLite commit shared by concurrent callers, fold) against raw
/// NSec Sign of a message of the same size on one thread. One node stays open for the whole run, as an app keeps its
/// node open: a node opened per iteration measured a fresh file's growing WAL (every commit's fsync also flushed
/// the file's new size), which a running device pays once, not per 4,000 appends. Fifteen warm-up iterations: with
/// five, tiered compilation was still recompiling the append path through the first half of the measured ones.
/// Three launches: the host changes speed between processes, and one launch is one sample of its phase.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 3, warmupCount: 15, iterationCount: 30)]
public class NodeDurableAppend
{
    private const int Ops = 4000;
    private RawSignBaseline _raw = null!;
    private string _folder = "";
    private BenchNode? _node;

    [Params(16, 256)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _raw = new RawSignBaseline();
        _folder = Path.Combine(Path.GetTempPath(), "ledger-bench-node");
        Directory.CreateDirectory(_folder);
        _node = BenchNode.Create(_folder);
    }

    [GlobalCleanup]
    public void CloseNode() => _node!.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "raw NSec Sign, one thread")]
    public int RawSign() => _raw.Sign(Ops);

    [Benchmark(Description = "DeviceNode.AppendAsync (SQLite, group commit)")]
    public async Task<int> DurableAppend() => (await _node!.AppendAll(Callers, Ops)).Count;

    /// <summary>Opens a node, appends <paramref name="ops"/> ops from <paramref name="callers"/> concurrent callers,
    /// closes it, and returns each append's latency.</summary>
    public static async Task<List<TimeSpan>> Measure(string folder, int callers, int ops)
    {
        await using var node = BenchNode.Create(folder);
        return await node.AppendAll(callers, ops);
    }

    /// <summary>A fresh node on a fresh SQLite file, deleted when disposed.</summary>
    public sealed class BenchNode : IAsyncDisposable
    {
        private readonly DeviceNode _node;
        private readonly string _path;

        private BenchNode(DeviceNode node, string path)
        {
            _node = node;
            _path = path;
        }

        public static BenchNode Create(string folder)
        {
            var seed = new byte[32];
            seed[0] = 11;
            var path = Path.Combine(folder, "node-" + Guid.NewGuid().ToString("N") + ".db");
            // Setup, outside any timed region; BenchmarkDotNet's setup is synchronous.
            var node = DeviceNode.InceptAsync(new NodeOptions { Ledger = "bench", Manifests = new ManifestCatalog(PostingDataset.Manifest), TrackProvenance = false },
                new SqliteNodeStore(path), SigningKey.FromSeed(seed), "till", NextKeyDigest.Of(seed)).GetAwaiter().GetResult();
            return new BenchNode(node, path);
        }

        /// <summary>Appends from <paramref name="callers"/> concurrent callers; returns each append's latency.</summary>
        public async Task<List<TimeSpan>> AppendAll(int callers, int ops)
        {
            var latencies = new List<TimeSpan>(ops);
            var gate = new Lock();
            await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
            {
                for (var i = c; i < ops; i += callers)
                {
                    var started = Stopwatch.GetTimestamp();
                    await _node.AppendAsync(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:00042", i));
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    lock (gate) latencies.Add(elapsed);
                }
            })));
            return latencies;
        }

        public async ValueTask DisposeAsync()
        {
            await _node.DisposeAsync();
            foreach (var f in Directory.GetFiles(Path.GetDirectoryName(_path)!, Path.GetFileNameWithoutExtension(_path) + "*")) File.Delete(f);
        }
    }
}
