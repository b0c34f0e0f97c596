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

    /// <summary>Rounds run and discarded first: tiered JIT and dynamic PGO go on recompiling hot methods for several
    /// rounds (the scheduler accounting shows the JIT's background thread busy), which a long-running node never sees.</summary>
    private const int WarmUpRounds = 10;

    /// <summary>Durable appends from <paramref name="callers"/> callers against raw NSec Sign on one thread.</summary>
    public static async Task DurableAppendAsync(int callers, int rounds, bool threads)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ledger-bench-paired");
        Directory.CreateDirectory(folder);
        var raw = new RawSignBaseline();
        var shares = new BracketedShares("raw sign");
        // One node for the whole run, as an app keeps its node open: opening and closing one per round measured
        // the JIT compiling open and close paths in the background for many rounds more.
        await using var node = NodeDurableAppend.BenchNode.Create(folder);
        for (var round = -WarmUpRounds; round < rounds; round++)
        {
            // The baseline brackets the candidate: this host switches between two speeds (raw signing at ~22 and
            // ~40 us) within seconds, and a round whose two baselines disagree saw the host change speed mid-round.
            var rawBefore = Time(() => raw.Sign(Ops / 2)) * 2;
            var before = threads ? ThreadSchedule.Snapshot() : [];
            var gcPause = GC.GetTotalPauseDuration();
            var gcs = GC.CollectionCount(0);
            var started = Stopwatch.GetTimestamp();
            await node.AppendAll(callers, Ops);
            var appendTime = Stopwatch.GetElapsedTime(started);
            var after = threads ? ThreadSchedule.Snapshot() : [];
            var rawAfter = Time(() => raw.Sign(Ops / 2)) * 2;
            if (round < 0) continue; // warm-up rounds: JIT tiering
            var (share, steady) = shares.Add(rawBefore, rawAfter, appendTime);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: raw sign {rawBefore.TotalMicroseconds / Ops:F1}/{rawAfter.TotalMicroseconds / Ops:F1} us/op (before/after){(steady ? "" : " HOST CHANGED SPEED")}, durable append {appendTime.TotalMicroseconds / Ops:F1} us/op ({Ops / appendTime.TotalSeconds:F0} ops/s), share of raw {share:F2}; {GC.CollectionCount(0) - gcs} GCs pausing {(GC.GetTotalPauseDuration() - gcPause).TotalMilliseconds:F1} ms"));
            var gc = GC.GetGCMemoryInfo(GCKind.Any);
            if (threads) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  last GC #{gc.Index}: gen {gc.Generation}, concurrent {gc.Concurrent}, pause {gc.PauseDurations[0].TotalMilliseconds:F1} ms, promoted {gc.PromotedBytes / 1e6:F1} MB, heap {gc.HeapSizeBytes / 1e6:F1} MB, allocated {GC.GetTotalAllocatedBytes() / 1e6:F0} MB total"));
            if (threads) Console.WriteLine("  threads (share of the append's wall time): " + ThreadSchedule.Delta(before, after, appendTime));
        }

        shares.Report($"durable append, {callers} callers");
    }

    /// <summary>Relay ingest of 10,005 ops of five authors (decode, chain and key rules, signatures checked on
    /// <paramref name="threads"/> threads, SQLite persist, acknowledge) into a fresh store per round, against raw NSec
    /// Verify of the same messages on as many threads, measured before and after each round.</summary>
    public static void RelayIngest(int threads, int rounds)
    {
        var bench = new RelayIngest { Threads = threads };
        bench.Setup();
        var shares = new BracketedShares("raw verify");
        for (var round = -3; round < rounds; round++)
        {
            bench.NextDataSet();
            var rawBefore = Time(() => bench.RawVerify());
            var ingestTime = Time(() => bench.Ingest());
            var rawAfter = Time(() => bench.RawVerify());
            if (round < 0) continue;
            var (share, steady) = shares.Add(rawBefore, rawAfter, ingestTime);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: raw verify {rawBefore.TotalMilliseconds:F0}/{rawAfter.TotalMilliseconds:F0} ms (before/after){(steady ? "" : " HOST CHANGED SPEED")}, relay ingest {ingestTime.TotalMilliseconds:F0} ms, share of raw {share:F2}"));
        }

        shares.Report($"relay ingest, {threads} thread(s)");
        bench.DropStore();
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
