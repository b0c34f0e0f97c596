using System.Diagnostics;
using System.Globalization;
using Ledger.Signing;

namespace Ledger.Benchmarks;

/// <summary>Ratios measured in alternating rounds on this shared, noisy VM: each round times the raw-sign baseline and
/// then the candidate back to back, so a slow spell of the host hits both; the median round ratio is reported.
/// A supplement to BenchmarkDotNet (which runs all baseline iterations, then all candidate iterations).</summary>
internal static class PairedRounds
{
    private const int Ops = 4000;

    /// <summary>Durable appends from <paramref name="callers"/> callers against raw NSec Sign on one thread.</summary>
    public static async Task DurableAppendAsync(int callers, int rounds)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ledger-bench-paired");
        Directory.CreateDirectory(folder);
        var raw = new RawSignBaseline();
        var shares = new List<double>();
        for (var round = -3; round < rounds; round++)
        {
            var rawTime = Time(() => raw.Sign(Ops));
            await using var node = NodeDurableAppend.BenchNode.Create(folder);
            var started = Stopwatch.GetTimestamp();
            await node.AppendAll(callers, Ops);
            var appendTime = Stopwatch.GetElapsedTime(started);
            if (round < 0) continue; // warm-up rounds: JIT tiering
            shares.Add(rawTime / appendTime);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: raw sign {rawTime.TotalMicroseconds / Ops:F1} us/op, durable append {appendTime.TotalMicroseconds / Ops:F1} us/op ({Ops / appendTime.TotalSeconds:F0} ops/s), share of raw {rawTime / appendTime:F2}"));
        }

        Report($"durable append, {callers} callers", shares);
    }

    /// <summary>The signing stage alone: <see cref="AuthorLog.AppendEncoded"/> (build, encode, chain, sign) against raw sign.</summary>
    public static void SignAndChain(int rounds)
    {
        var seed = new byte[32];
        seed[0] = 11;
        using var key = SigningKey.FromSeed(seed);
        var log = AuthorLog.Incept("bench", "till", key, NextKeyDigest.Of(seed), out _);
        var encoded = PostingDataset.PostVerb.EncodeArgs(new PostArgs("acct:00042", 7));
        var raw = new RawSignBaseline();
        var shares = new List<double>();
        for (var round = -3; round < rounds; round++)
        {
            var rawTime = Time(() => raw.Sign(Ops));
            var appendTime = Time(() =>
            {
                for (var i = 0; i < Ops; i++) log.AppendEncoded(PostingDataset.Manifest, PostingDataset.PostVerb, encoded);
            });
            if (round >= 0) shares.Add(rawTime / appendTime);
        }

        Report("AuthorLog.AppendEncoded (signing stage)", shares);
    }

    private static TimeSpan Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started);
    }

    private static void Report(string what, List<double> shares)
    {
        shares.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: share of raw sign over {shares.Count} paired rounds: median {shares[shares.Count / 2]:F2}, quartiles {shares[shares.Count / 4]:F2}-{shares[shares.Count * 3 / 4]:F2}, range {shares[0]:F2}-{shares[^1]:F2}"));
    }
}
