using System.Diagnostics;
using System.Globalization;

namespace Ledger.Fuzz.Tests;

/// <summary>What one target's run did.</summary>
internal sealed record FuzzReport(string Target, int Cases, int Accepted, int Refused, int KnownFailures, TimeSpan Elapsed, TimeSpan SlowestCase, string? FirstKnownFailure)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Target}: {Cases} cases ({Accepted} accepted, {Refused} refused typed, {KnownFailures} known failures) in {Elapsed.TotalSeconds:F1} s; slowest case {SlowestCase.TotalMilliseconds:F0} ms");
}

/// <summary>The seeded loop: every seed must be accepted; then every truncation of every seed up to
/// <see cref="ExhaustiveTruncationLimit"/> bytes; then random mutations. A failure names the case in the one replay form
/// <c>LEDGER_FUZZ_REPLAY=target:seed:case</c> and shows the input.</summary>
internal static class FuzzRunner
{
    /// <summary>Seeds up to this size are truncated at every length; longer ones at random lengths only.</summary>
    public const int ExhaustiveTruncationLimit = 4096;

    public static FuzzReport Run(FuzzTarget target, FuzzSettings settings, Func<Exception, bool>? isKnownFailure = null)
    {
        var seeds = target.Seeds();
        if (seeds.Count == 0) throw new InvalidOperationException($"{target.Name} has no seeds.");
        for (var i = 0; i < seeds.Count; i++)
        {
            if (!target.Check(seeds[i])) throw new InvalidOperationException($"{target.Name}: seed {i} is refused; the fixture is wrong.");
        }

        var truncations = seeds.Where(s => s.Length <= ExhaustiveTruncationLimit).Select(s => s.Length).Sum();
        var clock = Stopwatch.StartNew();
        var slowest = TimeSpan.Zero;
        int cases = 0, accepted = 0, refused = 0, known = 0;
        string? firstKnown = null;

        void RunCase(int index)
        {
            var input = Input(target, seeds, settings.Seed, index, truncations);
            var started = clock.Elapsed;
            try
            {
                if (target.Check(input)) accepted++;
                else refused++;
            }
            catch (Exception e) when (isKnownFailure is not null && isKnownFailure(e))
            {
                known++;
                firstKnown ??= $"{Replay(target, settings.Seed, index)}: {e.GetType().Name}: {e.Message}";
            }
            catch (Exception e)
            {
                throw new FuzzFailureException(target.Name, settings.Seed, index, input, e);
            }

            cases++;
            var took = clock.Elapsed - started;
            if (took > slowest) slowest = took;
        }

        if (settings.Replay is { } replay)
        {
            if (replay.Target == target.Name) RunCase(replay.Case);
            return new FuzzReport(target.Name, cases, accepted, refused, known, clock.Elapsed, slowest, firstKnown);
        }

        var randomCases = (int)Math.Max(1, Math.Round(settings.Cases * target.Weight));
        for (var index = 0; ; index++)
        {
            if (settings.Duration is { } duration ? index >= truncations && clock.Elapsed >= duration : index >= truncations + randomCases) break;
            RunCase(index);
        }

        return new FuzzReport(target.Name, cases, accepted, refused, known, clock.Elapsed, slowest, firstKnown);
    }

    public static string Replay(FuzzTarget target, int seed, int index) => string.Create(CultureInfo.InvariantCulture, $"LEDGER_FUZZ_REPLAY={target.Name}:{seed}:{index}");

    /// <summary>Case <paramref name="index"/>: the first cases truncate the small seeds at every length, in order; later
    /// ones mutate a seed chosen by the case's own random generator.</summary>
    private static byte[] Input(FuzzTarget target, IReadOnlyList<byte[]> seeds, int seed, int index, int truncations)
    {
        if (index < truncations)
        {
            var rest = index;
            foreach (var s in seeds.Where(s => s.Length <= ExhaustiveTruncationLimit))
            {
                if (rest < s.Length) return s[..rest];
                rest -= s.Length;
            }
        }

        var random = new Random(FuzzSettings.CaseSeed(seed, target.Name, index));
        var input = seeds[random.Next(seeds.Count)];
        return Mutator.Mutate(input, seeds, random, out _);
    }
}

/// <summary>A decoder broke its contract on one input.</summary>
internal sealed class FuzzFailureException(string target, int seed, int index, byte[] input, Exception inner)
    : Exception(Describe(target, seed, index, input, inner), inner)
{
    private static string Describe(string target, int seed, int index, byte[] input, Exception inner)
    {
        var hex = Convert.ToHexStringLower(input.AsSpan(0, Math.Min(input.Length, 2048)));
        return string.Create(CultureInfo.InvariantCulture,
            $"fuzz target {target}, case {index}: {inner.GetType().FullName}: {inner.Message}\n"
            + $"replay: LEDGER_FUZZ_REPLAY={target}:{seed}:{index} dotnet test tests/Ledger.Fuzz.Tests --filter \"FullyQualifiedName~DecoderFuzzTests\"\n"
            + $"input ({input.Length} bytes{(input.Length > 2048 ? ", first 2048 shown" : "")}): {hex}");
    }
}
