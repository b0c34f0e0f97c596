using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Ledger.Benchmarks;

if (args.Length > 0 && args[0] == "--quick")
{
    // A fast stopwatch check for development; the recorded numbers come from BenchmarkDotNet.
    var data = new PostingDataset(1_000_000);
    for (var round = 0; round < 6; round++)
    {
        var sw = Stopwatch.StartNew();
        var k = data.Fold(data.Ops.Length);
        var foldMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        k.StateHash();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fold 1M: {foldMs:F0} ms ({1e3 * data.Ops.Length / foldMs:F0} ops/s); hash: {sw.Elapsed.TotalMilliseconds:F1} ms"));
    }

    var big = new PostingDataset(1_000_000, accounts: 1_000_000, seed: 7, everyAccountOnce: true);
    var state = big.Fold(big.Ops.Length);
    for (var round = 0; round < 3; round++)
    {
        state.State.InvalidateHashes();
        var sw = Stopwatch.StartNew();
        state.StateHash();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cold hash of {state.State.RowCount} rows: {sw.Elapsed.TotalMilliseconds:F0} ms"));
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PostingDataset).Assembly).Run(args);
