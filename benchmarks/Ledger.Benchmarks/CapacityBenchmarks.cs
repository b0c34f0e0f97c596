using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Benchmarks;

/// <summary>Ops that keep one row each in a branch table spread over many branches (segments), the shape a state memory
/// budget can evict (issue 19, risk B1): one author, 1,000 branches (10 rows each at 10k rows).</summary>
/// <remarks>Two access patterns, both deterministic (a seeded generator in the benchmark, never in the kernel):
/// <see cref="BudgetPattern.Sweep"/> writes the rows in order, over and over (the worst case for a cache: every
/// segment is cold when the sweep comes back); <see cref="BudgetPattern.WorkingSet"/> writes every row once (an
/// import, itself a sweep), then works on a few branches at a time: phases of 1,000 ops, each on 16 branches chosen
/// at random; <see cref="BudgetPattern.WorkingSetNoisy"/> is the same with one op in ten on any branch (other devices'
/// ops arriving), a miss each; <see cref="BudgetPattern.WorkingSetCheckpoints"/> is <see cref="BudgetPattern.WorkingSet"/>
/// with a checkpoint every 10,000 ops (as a node writes them: it reads every row, a scan).</remarks>
public sealed class SegmentedDataset
{
    public static readonly BranchTable<long> Rows = new("rows");
    public static readonly Keep KeepVerb = new();
    public static readonly Manifest Manifest = new ManifestBuilder("bench-segments", 1).Tables(Rows).Add(KeepVerb).Build();

    public SegmentedDataset(int ops, int rows, int segments = 1_000, BudgetPattern pattern = BudgetPattern.Sweep)
    {
        var author = new AuthorId("till-00");
        var branches = Enumerable.Range(0, segments).Select(i => new BranchId(author, "b" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
        var perSegment = Math.Max(1, rows / segments);
        var random = new Random(19);
        var workingSet = new int[16];
        var tip = default(Hash32);
        CheckpointEvery = pattern == BudgetPattern.WorkingSetCheckpoints ? 10_000 : 0;
        Ops = new Op[ops];
        for (var i = 0; i < ops; i++)
        {
            int row;
            if (pattern == BudgetPattern.Sweep || i < rows)
            {
                row = i % rows;
            }
            else
            {
                if ((i - rows) % 1_000 == 0)
                {
                    for (var w = 0; w < workingSet.Length; w++) workingSet[w] = random.Next(segments);
                }

                var segment = pattern == BudgetPattern.WorkingSetNoisy && random.Next(10) == 0 ? random.Next(segments) : workingSet[random.Next(workingSet.Length)];
                row = Math.Min(rows - 1, (int)((long)segment * rows / segments) + random.Next(perSegment));
            }

            var op = Manifest.CreateOp(KeepVerb, new PostArgs("row-" + row.ToString("D7", CultureInfo.InvariantCulture), i), author, (ulong)i + 1, tip,
                branches[(long)row * segments / rows], 1_767_225_600_000 + i, Guid.Empty);
            tip = op.ChainHash;
            Ops[i] = op;
        }
    }

    public Op[] Ops { get; }

    /// <summary>Ops between checkpoints the fold makes (0: none).</summary>
    public int CheckpointEvery { get; }

    public LedgerKernel Fold(long? budget = null, ISegmentStore? store = null)
    {
        var kernel = new LedgerKernel(new KernelOptions { Manifests = new ManifestCatalog(Manifest), TrackProvenance = false, StateMemoryBudget = budget, SegmentStore = store });
        for (var i = 0; i < Ops.Length; i++)
        {
            kernel.Apply(Ops[i]);
            if (CheckpointEvery > 0 && (i + 1) % CheckpointEvery == 0) kernel.CreateCheckpoint();
        }

        return kernel;
    }
}

public sealed class Keep() : Verb<PostArgs>("keep", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, PostArgs args) => ctx.Put(SegmentedDataset.Rows, args.Account, args.Cents);
}

/// <summary>Fold throughput with a state budget of 10 % of the state (segments evicted to a SQLite segment store) vs
/// unbudgeted (issue 19 goal: ≥ 0.7 of unbudgeted).</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class BudgetedFold
{
    private SegmentedDataset _data = null!;
    private long _budget;
    private string _folder = "";

    [Params(200_000)]
    public int Ops { get; set; }

    [Params(BudgetPattern.Sweep, BudgetPattern.WorkingSet, BudgetPattern.WorkingSetCheckpoints)]
    public BudgetPattern Pattern { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new SegmentedDataset(Ops, Ops / 10, pattern: Pattern);
        _budget = _data.Fold().State.Memory().ResidentBytes / 10;
        _folder = Path.Combine(Path.GetTempPath(), "ledger-bench-budget");
        Directory.CreateDirectory(_folder);
    }

    [Benchmark(Baseline = true, Description = "fold, unbudgeted")]
    public Hash32 Unbudgeted() => _data.Fold().StateHash();

    [Benchmark(Description = "fold, budget 10 % of the state (SQLite segment store)")]
    public Hash32 Budgeted()
    {
        using var store = new SqliteSegmentStore(Path.Combine(_folder, "segments.db"));
        return _data.Fold(_budget, store).StateHash();
    }
}

/// <summary>A node opening its SQLite store: from its latest checkpoint plus the tail vs replaying from genesis (issue 19
/// goal: ≥ 20× at 1M ops; the chains are still read and verified on both paths).</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class NodeOpenFromCheckpoint
{
    private string _folder = "";

    [Params(20_000)]
    public int Ops { get; set; }

    [GlobalSetup]
    public void Setup() => _folder = NodeOpen.Write(Ops).GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "open: genesis replay")]
    public async Task<Hash32> Genesis() => await NodeOpen.OpenAsync(_folder, checkpoints: false);

    [Benchmark(Description = "open: checkpoint + tail")]
    public async Task<Hash32> FromCheckpoint() => await NodeOpen.OpenAsync(_folder, checkpoints: true);
}

/// <summary>Writing and opening the node of <see cref="NodeOpenFromCheckpoint"/>, and the short stopwatch run.</summary>
public static class NodeOpen
{
    private static SigningKey Key()
    {
        var seed = new byte[32];
        seed[0] = 19;
        return SigningKey.FromSeed(seed);
    }

    private static NodeOptions Options(INodeCheckpointStore? checkpoints, int every) => new()
    {
        Ledger = "bench", Manifests = new ManifestCatalog(PostingDataset.Manifest), TrackProvenance = false, Checkpoints = checkpoints, CheckpointEvery = every,
    };

    /// <summary>A node store of <paramref name="ops"/> posting ops (group-committed), with checkpoints as a node takes them
    /// by default (<see cref="NodeOptions.CheckpointEvery"/>, 10,000 ops; at most ops/10 for small runs), synced with an
    /// in-process relay every ops/100 (a node's acknowledged ops are what its ladder compacts: risk B2). Checkpoints every
    /// ops/10, as before, left a tail of a tenth of the log to fold at open, which capped the speed-up near 10×.</summary>
    public static async Task<string> Write(int ops, string? into = null)
    {
        var folder = into ?? Path.Combine(Path.GetTempPath(), "ledger-bench-open-" + ops.ToString(CultureInfo.InvariantCulture) + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var seed = new byte[32];
        seed[0] = 19;
        using var checkpoints = new SqliteNodeCheckpointStore(Path.Combine(folder, "checkpoint.db"));
        await using var node = await DeviceNode.InceptAsync(Options(checkpoints, Math.Max(1, Math.Min(new NodeOptions().CheckpointEvery, ops / 10))), new SqliteNodeStore(Path.Combine(folder, "node.db")), Key(), "till", NextKeyDigest.Of(seed));
        var random = new Random(42);
        var relay = new InMemoryRelayTransport(new Relay(new RelayOptions { Ledger = "bench" }, new InMemoryRelayStore()));
        var syncEvery = Math.Max(1, ops / 100);
        var synced = 0;
        for (var done = 0; done < ops;)
        {
            var batch = Math.Min(Math.Min(512, syncEvery), ops - done);
            await Task.WhenAll(Enumerable.Range(0, batch).Select(i =>
                node.AppendAsync(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:" + random.Next(10_000).ToString("D7", CultureInfo.InvariantCulture), done + i))));
            done += batch;
            if (done - synced >= syncEvery)
            {
                await node.SyncAsync(relay);
                synced = done;
            }
        }

        return folder;
    }

    public static async Task<Hash32> OpenAsync(string folder, bool checkpoints) => (await OpenMeasuredAsync(folder, checkpoints)).Hash;

    /// <summary>Opens the node; its state hash and how it started (ops the checkpoint covered, store records read).</summary>
    public static async Task<(Hash32 Hash, NodeStartup Startup)> OpenMeasuredAsync(string folder, bool checkpoints)
    {
        using var store = checkpoints ? new SqliteNodeCheckpointStore(Path.Combine(folder, "checkpoint.db")) : null;
        await using var node = await DeviceNode.OpenAsync(Options(store, int.MaxValue), new SqliteNodeStore(Path.Combine(folder, "node.db")), Key());
        if (checkpoints && (node.Startup.CheckpointOps == 0 || node.Startup.CheckpointRefused is not null))
        {
            throw new InvalidOperationException("the node did not open from its checkpoint's open state: " + node.Startup.CheckpointRefused);
        }

        return (node.StateHash(), node.Startup);
    }

    /// <summary><c>--capacity-quick [ops]</c>: one stopwatch pass of each comparison (seconds, not a benchmark).</summary>
    public static async Task QuickAsync(int ops)
    {
        BudgetedFoldQuick.Run(ops, rounds: 5);
        await OpenQuickAsync(ops / 10, 4);
    }

    /// <summary>Node open only: a node of <paramref name="nodeOps"/> ops, opened from genesis and from its checkpoint
    /// in <paramref name="rounds"/> paired rounds (<c>--node-open</c>; issue 19 asks for 1M). With <paramref name="keep"/>,
    /// the node is written into that folder, or taken from it when a run already wrote it there (a 1M node takes minutes).</summary>
    public static async Task OpenQuickAsync(int nodeOps, int rounds, string? keep = null)
    {
        var ops = nodeOps * 10;
        var written = Stopwatch.StartNew();
        var nodeFolder = keep is not null && File.Exists(Path.Combine(keep, "node.db")) && File.Exists(Path.Combine(keep, "checkpoint.db")) ? keep : await Write(nodeOps, keep);
        Console.WriteLine(nodeFolder == keep && written.Elapsed.TotalSeconds < 1
            ? $"took the node written in {keep}"
            : string.Create(CultureInfo.InvariantCulture, $"wrote a node of {nodeOps} ops in {written.Elapsed.TotalSeconds:F0} s"));
        // Paired rounds, the order alternating (a shared host's load drifts): genesis replay vs checkpoint + tail.
        for (var round = 0; round < rounds; round++)
        {
            (Hash32 Hash, NodeStartup Startup, double Ms) Measure(bool fromCheckpoint)
            {
                var sw = Stopwatch.StartNew();
                var (hash, startup) = OpenMeasuredAsync(nodeFolder, fromCheckpoint).GetAwaiter().GetResult();
                return (hash, startup, sw.Elapsed.TotalMilliseconds);
            }

            var checkpointFirst = round % 2 == 0;
            var first = Measure(checkpointFirst);
            var second = Measure(!checkpointFirst);
            var (genesis, checkpoint) = checkpointFirst ? (second, first) : (first, second);
            if (genesis.Hash != checkpoint.Hash) throw new InvalidOperationException("opened from the checkpoint at another hash");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"node open at {ops / 10} ops (round {round + 1}, {(checkpointFirst ? "checkpoint first" : "genesis first")}): genesis {genesis.Ms:F0} ms ({genesis.Startup.RecordsRead} records read), checkpoint + tail {checkpoint.Ms:F0} ms ({checkpoint.Startup.RecordsRead} records read, {checkpoint.Startup.OpsFolded} folded after a checkpoint of {checkpoint.Startup.CheckpointOps} ops, store check {checkpoint.Startup.StoreCheck} at open), {genesis.Ms / checkpoint.Ms:F1}x"));
        }

        // The store's whole-file check is off the open's critical path, not free: how long after the open it passes.
        using (var checkpointStore = new SqliteNodeCheckpointStore(Path.Combine(nodeFolder, "checkpoint.db")))
        {
            var sw = Stopwatch.StartNew();
            var store = new SqliteNodeStore(Path.Combine(nodeFolder, "node.db"));
            await using var node = await DeviceNode.OpenAsync(Options(checkpointStore, int.MaxValue), store, Key());
            var opened = sw.Elapsed.TotalMilliseconds;
            await store.EnsureIntactAsync();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"checkpoint + tail open {opened:F0} ms; the store's background integrity check passed {sw.Elapsed.TotalMilliseconds:F0} ms after the open began"));
        }
    }
}
