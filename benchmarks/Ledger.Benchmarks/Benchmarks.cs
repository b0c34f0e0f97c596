using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Ledger.Kernel;

namespace Ledger.Benchmarks;

/// <summary>Fold throughput: 1M posting ops into the kernel vs into a plain Dictionary&lt;string,long&gt;.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class FoldThroughput
{
    private PostingDataset _data = null!;

    [Params(1_000_000)]
    public int Ops { get; set; }

    [GlobalSetup]
    public void Setup() => _data = new PostingDataset(Ops);

    [Benchmark(Baseline = true, Description = "Dictionary<string,long> +=")]
    public long PlainDictionary()
    {
        var accounts = new Dictionary<string, long>(StringComparer.Ordinal);
        var names = _data.AccountOf;
        var cents = _data.CentsOf;
        for (var i = 0; i < names.Length; i++)
        {
            accounts[names[i]] = accounts.GetValueOrDefault(names[i]) + cents[i];
        }

        return accounts.Count;
    }

    [Benchmark(Description = "LedgerKernel.Apply (provenance off)")]
    public long Kernel() => _data.Fold(Ops).AcceptedOps;

    [Benchmark(Description = "LedgerKernel.Apply (provenance on)")]
    public long KernelWithProvenance() => _data.Fold(Ops, provenance: true).AcceptedOps;
}

/// <summary>The state hash of a 1M-row state, computed from scratch (no cached segment hashes).</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class StateHashOfAMillionRows
{
    private LedgerKernel _kernel = null!;

    [GlobalSetup]
    public void Setup()
    {
        // 1M accounts, each posted once: 1M counter rows in one segment plus 50 branch rows.
        var data = new PostingDataset(1_000_000, accounts: 1_000_000, seed: 7, everyAccountOnce: true);
        _kernel = data.Fold(data.Ops.Length);
    }

    [IterationSetup]
    public void Invalidate() => _kernel.State.InvalidateHashes();

    [Benchmark(Description = "StateStore.Hash, 1M rows, cold")]
    public Hash32 Hash() => _kernel.StateHash();
}

/// <summary>Bootstrap from a checkpoint (taken at 99%, then the 1% tail) vs genesis replay.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class BootstrapVsGenesis
{
    private PostingDataset _data = null!;
    private byte[] _checkpoint = [];
    private int _cut;

    [Params(10_000, 100_000, 1_000_000)]
    public int Ops { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new PostingDataset(Ops);
        _cut = Ops * 99 / 100;
        _checkpoint = CheckpointCodec.Encode(_data.Fold(_cut).CreateCheckpoint());
    }

    [Benchmark(Baseline = true, Description = "genesis replay")]
    public Hash32 Genesis() => _data.Fold(Ops).StateHash();

    [Benchmark(Description = "checkpoint + 1% tail")]
    public Hash32 Bootstrap()
    {
        var kernel = LedgerKernel.Restore(_checkpoint, new KernelOptions { Manifests = new ManifestCatalog(PostingDataset.Manifest), TrackProvenance = false });
        var ops = _data.Ops;
        for (var i = _cut; i < ops.Length; i++) kernel.Apply(ops[i]);
        return kernel.StateHash();
    }
}
