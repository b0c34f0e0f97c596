using System.Globalization;

namespace Ledger.Fuzz.Tests;

/// <summary>How many cases to run, from which seed (docs/reliability.md, "Fuzzing"):
/// <list type="bullet">
/// <item><c>LEDGER_FUZZ_SEED</c>: the base seed (default 20261206); a case's own seed derives from it, the target name and the case number.</item>
/// <item><c>LEDGER_FUZZ_CASES</c>: random cases per target at weight 1 (default 600: the whole project runs in under a minute in CI).</item>
/// <item><c>LEDGER_FUZZ_SECONDS</c>: instead of a case count, run each target for this long (long runs).</item>
/// <item><c>LEDGER_FUZZ_REPLAY</c>: <c>target:seed:case</c>, as printed by a failure: runs exactly that case.</item>
/// </list></summary>
internal sealed record FuzzSettings(int Seed, int Cases, TimeSpan? Duration, (string Target, int Seed, int Case)? Replay)
{
    public const int DefaultSeed = 20261206;
    public const int DefaultCases = 600;

    public static FuzzSettings FromEnvironment()
    {
        static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        var seed = Get("LEDGER_FUZZ_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : DefaultSeed;
        var cases = Get("LEDGER_FUZZ_CASES") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : DefaultCases;
        TimeSpan? duration = Get("LEDGER_FUZZ_SECONDS") is { } d ? TimeSpan.FromSeconds(double.Parse(d, CultureInfo.InvariantCulture)) : null;
        (string, int, int)? replay = null;
        if (Get("LEDGER_FUZZ_REPLAY") is { } r)
        {
            var parts = r.Split(':');
            if (parts.Length != 3) throw new ArgumentException($"LEDGER_FUZZ_REPLAY is target:seed:case, not '{r}'.");
            replay = (parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
        }

        return new FuzzSettings(seed, cases, duration, replay);
    }

    /// <summary>The seed of case <paramref name="index"/> of <paramref name="target"/>: stable across runs and platforms
    /// (FNV-1a over the name, not string.GetHashCode, which is randomized per process).</summary>
    public static int CaseSeed(int seed, string target, int index)
    {
        var h = 2166136261u;
        foreach (var ch in target) h = (h ^ ch) * 16777619u;
        h = (h ^ (uint)seed) * 16777619u;
        h = (h ^ (uint)index) * 16777619u;
        return (int)(h & 0x7fffffff);
    }
}
