using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Benchmarks;

/// <summary>Ops that keep one row each in a branch table spread over many branches (segments), the shape a state memory
/// budget can evict (issue 19, risk B1): one author, 1,000 branches, rows swept in order.</summary>
public sealed class SegmentedDataset
{
    public static readonly BranchTable<long> Rows = new("rows");
    public static readonly Keep KeepVerb = new();
    public static readonly Manifest Manifest = new ManifestBuilder("bench-segments", 1).Tables(Rows).Add(KeepVerb).Build();

    public SegmentedDataset(int ops, int rows, int segments = 1_000)
    {
        var author = new AuthorId("till-00");
        var branches = Enumerable.Range(0, segments).Select(i => new BranchId(author, "b" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
        var tip = default(Hash32);
        Ops = new Op[ops];
        for (var i = 0; i < ops; i++)
        {
            var row = i % rows;
            var op = Manifest.CreateOp(KeepVerb, new PostArgs("row-" + row.ToString("D7", CultureInfo.InvariantCulture), i), author, (ulong)i + 1, tip,
                branches[(long)row * segments / rows], 1_767_225_600_000 + i, Guid.Empty);
            tip = op.ChainHash;
            Ops[i] = op;
        }
    }

    public Op[] Ops { get; }

    public LedgerKernel Fold(long? budget = null, ISegmentStore? store = null)
    {
        var kernel = new LedgerKernel(new KernelOptions { Manifests = new ManifestCatalog(Manifest), TrackProvenance = false, StateMemoryBudget = budget, SegmentStore = store });
        foreach (var op in Ops) kernel.Apply(op);
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

    [GlobalSetup]
    public void Setup()
    {
        _data = new SegmentedDataset(Ops, Ops / 10);
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

    /// <summary>A node store of <paramref name="ops"/> posting ops (group-committed), with checkpoints every ops/10, synced
    /// with an in-process relay every ops/100 (a node's acknowledged ops are what its ladder compacts: risk B2).</summary>
    public static async Task<string> Write(int ops)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ledger-bench-open-" + ops.ToString(CultureInfo.InvariantCulture) + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var seed = new byte[32];
        seed[0] = 19;
        using var checkpoints = new SqliteNodeCheckpointStore(Path.Combine(folder, "checkpoint.db"));
        await using var node = await DeviceNode.InceptAsync(Options(checkpoints, Math.Max(1, ops / 10)), new SqliteNodeStore(Path.Combine(folder, "node.db")), Key(), "till", NextKeyDigest.Of(seed));
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
        var data = new SegmentedDataset(ops, ops / 10);
        // Per process: engineers sharing a host (and branches with other schemas) must not open each other's files.
        var folder = Path.Combine(Path.GetTempPath(), "ledger-bench-budget-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var unbudgetedState = data.Fold().State.Memory().ResidentBytes;
        for (var round = 0; round < 2; round++)
        {
            var sw = Stopwatch.StartNew();
            var plain = data.Fold().StateHash();
            var plainMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            Hash32 budgeted;
            StateMemoryReport memory;
            using (var store = new SqliteSegmentStore(Path.Combine(folder, "segments.db")))
            {
                var kernel = data.Fold(unbudgetedState / 10, store);
                budgeted = kernel.StateHash();
                memory = kernel.State.Memory();
            }

            var budgetedMs = sw.Elapsed.TotalMilliseconds;
            if (plain != budgeted) throw new InvalidOperationException("budgeted and unbudgeted folds differ");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fold {ops} ops into {ops / 10} rows: unbudgeted {plainMs:F0} ms, budget 10 % ({unbudgetedState / 10} B) {budgetedMs:F0} ms, ratio {plainMs / budgetedMs:F2}; evictions {memory.Evictions}, loads {memory.Loads}"));
        }

        var nodeFolder = await Write(ops / 10);
        // Paired rounds, the order alternating (a shared host's load drifts): genesis replay vs checkpoint + tail.
        for (var round = 0; round < 4; round++)
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
                $"node open at {ops / 10} ops (round {round + 1}, {(checkpointFirst ? "checkpoint first" : "genesis first")}): genesis {genesis.Ms:F0} ms ({genesis.Startup.RecordsRead} records read), checkpoint + tail {checkpoint.Ms:F0} ms ({checkpoint.Startup.RecordsRead} records read, {checkpoint.Startup.OpsFolded} folded after a checkpoint of {checkpoint.Startup.CheckpointOps} ops), {genesis.Ms / checkpoint.Ms:F1}x"));
        }
    }
}
