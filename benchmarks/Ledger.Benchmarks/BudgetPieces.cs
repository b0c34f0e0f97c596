using System.Diagnostics;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Benchmarks;

/// <summary><c>--budget-pieces</c>: the parts of one load-and-evict cycle timed apart, over the 1,000 segments (10 rows
/// each) of <see cref="SegmentedDataset"/>: serialize (sort + canonical bytes + SHA-256), the SQLite write, drop the rows,
/// the SQLite read, the verifying hash, decode. Each part is timed over all segments per round; the fastest of the
/// rounds is reported (this shared host is loaded: the minimum is the least disturbed).</summary>
internal static class BudgetPieces
{
    public static void Run(int rounds, bool shuffled)
    {
        var kernel = new SegmentedDataset(10_000, 10_000).Fold();
        var segments = kernel.State.Segments.ToArray();
        if (shuffled) new Random(19).Shuffle(segments); // the store's keys in random order, as a working set evicts them
        var folder = Path.Combine(Path.GetTempPath(), "ledger-bench-budget");
        Directory.CreateDirectory(folder);
        using var store = new SqliteSegmentStore(Path.Combine(folder, "pieces.db"));
        var sorter = new CanonicalRowSorter();
        var names = new[] { "serialize + hash", "SQLite write", "drop rows", "SQLite read", "verify hash", "decode rows" };
        var best = Enumerable.Repeat(double.MaxValue, names.Length).ToArray();
        var rows = new byte[segments.Length][];
        var hashes = new Hash32[segments.Length];
        for (var round = 0; round < rounds; round++)
        {
            var t = new long[names.Length];
            var at = Stopwatch.GetTimestamp();
            for (var i = 0; i < segments.Length; i++) (hashes[i], rows[i]) = segments[i].SerializeResident(sorter);
            t[0] += Lap(ref at);
            for (var i = 0; i < segments.Length; i++) store.Write(segments[i].Id, hashes[i], rows[i]);
            t[1] += Lap(ref at);
            foreach (var s in segments) s.MarkEvicted();
            t[2] += Lap(ref at);
            for (var i = 0; i < segments.Length; i++) rows[i] = store.Read(segments[i].Id)!;
            t[3] += Lap(ref at);
            for (var i = 0; i < segments.Length; i++)
            {
                if (CanonicalRowSorter.HashRows(Segment.Domain, rows[i]) != hashes[i]) throw new InvalidOperationException("hash");
            }

            t[4] += Lap(ref at);
            for (var i = 0; i < segments.Length; i++) segments[i].LoadEvicted(rows[i]);
            t[5] += Lap(ref at);
            for (var p = 0; p < names.Length; p++) best[p] = Math.Min(best[p], Stopwatch.GetElapsedTime(0, t[p]).TotalMicroseconds / segments.Length);
        }

        static long Lap(ref long at)
        {
            var now = Stopwatch.GetTimestamp();
            var d = now - at;
            at = now;
            return d;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load average: {File.ReadAllText("/proc/loadavg").Trim()}"));
        var parts = string.Join(", ", names.Select((n, p) => string.Create(CultureInfo.InvariantCulture, $"{n} {best[p]:F2} us")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"per segment of 10 rows ({rows[0].Length} bytes), {(shuffled ? "keys in random order" : "keys in order")}, fastest of {rounds} rounds: {parts}; total {best.Sum():F2} us"));
    }
}
