using System.Diagnostics;
using System.Globalization;

namespace Ledger.Benchmarks;

/// <summary>The determinism sentinel's cost (issue 21): the same posting log folded with the sentinel off, on, and off
/// again in each round; the round's ratio is the sentinel fold's time over the mean of the two brackets, so a slow
/// spell of this shared host hits both sides. The median round ratio is reported.</summary>
internal static class SentinelPaired
{
    private const int WarmUpRounds = 3;

    public static void Run(int ops, int rounds)
    {
        var data = new PostingDataset(ops);
        var ratios = new List<double>();
        for (var round = -WarmUpRounds; round < rounds; round++)
        {
            var before = Fold(data, ops, sentinel: false);
            var on = Fold(data, ops, sentinel: true);
            var after = Fold(data, ops, sentinel: false);
            if (round < 0) continue;
            var ratio = on.TotalSeconds / ((before.TotalSeconds + after.TotalSeconds) / 2);
            ratios.Add(ratio);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: off {ops / before.TotalSeconds:F0}/{ops / after.TotalSeconds:F0} ops/s (before/after), sentinel on {ops / on.TotalSeconds:F0} ops/s, cost ×{ratio:F2}"));
        }

        ratios.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SENTINEL ops={ops} rounds={rounds} median cost ×{ratios[ratios.Count / 2]:F2} (min ×{ratios[0]:F2}, max ×{ratios[^1]:F2}); throughput with the sentinel = {1 / ratios[ratios.Count / 2]:F2} of without"));
    }

    private static TimeSpan Fold(PostingDataset data, int ops, bool sentinel)
    {
        var kernel = data.NewKernel();
        kernel.CheckDeterminism = sentinel;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < ops; i++) kernel.Apply(data.Ops[i]);
        kernel.StateHash();
        return Stopwatch.GetElapsedTime(started);
    }
}
