using System.Globalization;

namespace Ledger.Benchmarks;

/// <summary>Linux scheduler accounting of this process's threads (/proc/self/task/*/schedstat): how long each ran
/// on a CPU and how long it waited runnable for one. Tells a serial stage that was starved of CPU from one that
/// had nothing to do. Empty where /proc is not there.</summary>
internal static class ThreadSchedule
{
    public readonly record struct Times(TimeSpan Ran, TimeSpan WaitedRunnable, long Slices);

    /// <summary>Sums per thread name (a name shared by pool threads sums over all of them).</summary>
    public static Dictionary<string, Times> Snapshot()
    {
        var result = new Dictionary<string, Times>(StringComparer.Ordinal);
        if (!Directory.Exists("/proc/self/task")) return result;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                var parts = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var t = new Times(TimeSpan.FromTicks(long.Parse(parts[0], CultureInfo.InvariantCulture) / 100),
                    TimeSpan.FromTicks(long.Parse(parts[1], CultureInfo.InvariantCulture) / 100), long.Parse(parts[2], CultureInfo.InvariantCulture));
                result[name] = result.TryGetValue(name, out var sum) ? new Times(sum.Ran + t.Ran, sum.WaitedRunnable + t.WaitedRunnable, sum.Slices + t.Slices) : t;
            }
            catch (IOException)
            {
                // The thread ended while being read.
            }
        }

        return result;
    }

    /// <summary>What each thread did between two snapshots, busiest first.</summary>
    public static string Delta(Dictionary<string, Times> before, Dictionary<string, Times> after, TimeSpan wall)
    {
        var rows = after.Select(a =>
        {
            var b = before.TryGetValue(a.Key, out var x) ? x : default;
            return (Name: a.Key, Ran: a.Value.Ran - b.Ran, Waited: a.Value.WaitedRunnable - b.WaitedRunnable, Slices: a.Value.Slices - b.Slices);
        }).Where(r => r.Ran > TimeSpan.FromMilliseconds(1)).OrderByDescending(r => r.Ran);
        return string.Join(", ", rows.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Name} ran {r.Ran.TotalMilliseconds / wall.TotalMilliseconds:P0} waited {r.Waited.TotalMilliseconds / wall.TotalMilliseconds:P0} ({r.Slices} slices)")));
    }
}
