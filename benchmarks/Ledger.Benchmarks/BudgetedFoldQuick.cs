using System.Diagnostics;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Benchmarks;

/// <summary><c>--capacity-quick</c>'s fold part (also <c>--budget-quick [ops] [rounds]</c> alone): per access pattern,
/// rounds that fold the same ops unbudgeted and under a budget of 10 % of the state (SQLite segment store) back to
/// back, with the order alternating, so a slow spell of the shared host hits both; plus where the budgeted fold's time
/// goes: the same fold over an in-memory segment store (the kernel's side: serialize, hash, decode, bookkeeping) and
/// the time spent inside the SQLite store's Write and Read (timed outside the kernel, by a wrapper).</summary>
internal static class BudgetedFoldQuick
{
    public static void Run(int ops, int rounds, string? only = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ledger-bench-budget");
        Directory.CreateDirectory(folder);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load average before: {LoadAverage()}"));
        foreach (var pattern in new[] { BudgetPattern.Sweep, BudgetPattern.WorkingSet, BudgetPattern.WorkingSetNoisy, BudgetPattern.WorkingSetCheckpoints })
        {
            if (only is not null && !string.Equals(only, pattern.ToString(), StringComparison.OrdinalIgnoreCase)) continue;
            var data = new SegmentedDataset(ops, ops / 10, pattern: pattern);
            var state = data.Fold().State.Memory().ResidentBytes;
            var budget = state / 10;
            var ratios = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                double plainMs = 0, budgetedMs = 0;
                Hash32 plain = default, budgeted = default;
                StateMemoryReport memory = null!;
                TimedStore timed = null!;
                long gcs = 0, allocated = 0;
                void Plain()
                {
                    var sw = Stopwatch.StartNew();
                    plain = data.Fold().StateHash();
                    plainMs = sw.Elapsed.TotalMilliseconds;
                }

                void Budgeted()
                {
                    var gc0 = GC.CollectionCount(0);
                    var alloc0 = GC.GetAllocatedBytesForCurrentThread();
                    var sw = Stopwatch.StartNew();
                    using var store = new SqliteSegmentStore(Path.Combine(folder, "segments.db"));
                    timed = new TimedStore(store);
                    var kernel = data.Fold(budget, timed);
                    budgeted = kernel.StateHash();
                    memory = kernel.State.Memory();
                    budgetedMs = sw.Elapsed.TotalMilliseconds;
                    gcs = GC.CollectionCount(0) - gc0;
                    allocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
                }

                if (round % 2 == 0) { Plain(); Budgeted(); }
                else { Budgeted(); Plain(); }

                var sw2 = Stopwatch.StartNew();
                var inMemory = data.Fold(budget, new InMemorySegmentStore()).StateHash();
                var inMemoryMs = sw2.Elapsed.TotalMilliseconds;
                if (plain != budgeted || plain != inMemory) throw new InvalidOperationException("budgeted and unbudgeted folds differ");
                if (memory.OverFetchedSegments != 0) throw new InvalidOperationException("a load over-fetched");
                var ratio = plainMs / budgetedMs;
                if (round > 0 || rounds == 1) ratios.Add(ratio); // round 0 runs the JIT
                var cycles = Math.Max(1, memory.Loads);
                var chainPages = ops / ChainPageSize; // pages of chain hashes go to the same store
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{pattern} round {round}: {ops} ops into {ops / 10} rows, budget {budget} B of {state} B: unbudgeted {plainMs:F0} ms, budgeted {budgetedMs:F0} ms, ratio {ratio:F2}; " +
                    $"evictions {memory.Evictions} (written {timed.Writes - chainPages}), loads {memory.Loads}; in-memory store {inMemoryMs:F0} ms; SQLite write {timed.WriteMs:F0} ms, read {timed.ReadMs:F0} ms; " +
                    $"per load: {(budgetedMs - plainMs) * 1000 / cycles:F1} us extra ({(inMemoryMs - plainMs) * 1000 / cycles:F1} kernel, {(timed.WriteMs + timed.ReadMs) * 1000 / cycles:F1} SQLite); {gcs} gen0 GCs, {allocated / 1e6:F0} MB allocated"));
            }

            ratios.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pattern}: median ratio {ratios[ratios.Count / 2]:F2} (rounds after the first: {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))})"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load average after: {LoadAverage()}"));
    }

    private const int ChainPageSize = 1024;

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    /// <summary>Times the calls into a segment store (outside the kernel, which reads no clock).</summary>
    private sealed class TimedStore(ISegmentStore inner) : ISegmentStore
    {
        private long _writeTicks;
        private long _readTicks;

        public long Writes { get; private set; }

        public double WriteMs => Stopwatch.GetElapsedTime(0, _writeTicks).TotalMilliseconds;

        public double ReadMs => Stopwatch.GetElapsedTime(0, _readTicks).TotalMilliseconds;

        public void Write(SegmentId id, Hash32 hash, ReadOnlyMemory<byte> rows)
        {
            var t = Stopwatch.GetTimestamp();
            inner.Write(id, hash, rows);
            _writeTicks += Stopwatch.GetTimestamp() - t;
            Writes++;
        }

        public byte[]? Read(SegmentId id)
        {
            var t = Stopwatch.GetTimestamp();
            var rows = inner.Read(id);
            _readTicks += Stopwatch.GetTimestamp() - t;
            return rows;
        }
    }
}
