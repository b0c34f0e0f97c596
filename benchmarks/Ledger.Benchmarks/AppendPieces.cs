using System.Diagnostics;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Benchmarks;

/// <summary>Stopwatch breakdown of one durable append's pieces (development aid; recorded numbers come from BenchmarkDotNet).</summary>
internal static class AppendPieces
{
    /// <summary>CPU time this thread has run (Linux; zero elsewhere).</summary>
    private static TimeSpan ThreadCpu() => File.Exists("/proc/thread-self/schedstat")
        ? TimeSpan.FromTicks(long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], CultureInfo.InvariantCulture) / 100)
        : TimeSpan.Zero;

    public static void Run()
    {
        for (var round = 0; round < 4; round++)
        {
            const int n = 4000;
            var seed = new byte[32];
            seed[0] = 11;
            using var key = SigningKey.FromSeed(seed);
            var log = AuthorLog.Incept("bench", "till", key, NextKeyDigest.Of(seed), out var inception);
            var ops = new List<SignedOp>(n) { inception };
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var signAlloc = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++) ops.Add(log.Append(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:00042", i)));
            var sign = sw.Elapsed.TotalMicroseconds / n;
            signAlloc = (GC.GetAllocatedBytesForCurrentThread() - signAlloc) / n;
            var raw = new RawSignBaseline();
            sw.Restart();
            raw.Sign(n);
            var rawSign = sw.Elapsed.TotalMicroseconds / n;

            var folder = Path.Combine(Path.GetTempPath(), "ledger-pieces");
            Directory.CreateDirectory(folder);
            var results = new List<string>();
            foreach (var batch in new[] { 16, 256 })
            {
                var path = Path.Combine(folder, "p" + batch + "-" + round + ".db");
                using (var store = new SqliteNodeStore(path))
                {
                    var cpu = ThreadCpu();
                    var storeAlloc = GC.GetAllocatedBytesForCurrentThread();
                    sw.Restart();
                    foreach (var chunk in ops.Chunk(batch)) store.AppendAsync(chunk.Select(o => new NodeOpRecord(o.Ref, o.Bytes, true, null)).ToArray()).GetAwaiter().GetResult();
                    results.Add(string.Create(CultureInfo.InvariantCulture, $"store@{batch}={sw.Elapsed.TotalMicroseconds / ops.Count:F1} (cpu {(ThreadCpu() - cpu).TotalMicroseconds / ops.Count:F1}, {(GC.GetAllocatedBytesForCurrentThread() - storeAlloc) / ops.Count} B)"));
                }

                foreach (var f in Directory.GetFiles(folder)) File.Delete(f);
            }

            var options = new KernelOptions { Manifests = new ManifestCatalog(PostingDataset.Manifest), TrackProvenance = false };
            KeyEvents.Use(options);
            var kernel = new LedgerKernel(options);
            var verifier = new AuthorChainVerifier("bench", log.Author);
            var foldCpu = ThreadCpu();
            var foldAlloc = GC.GetAllocatedBytesForCurrentThread();
            sw.Restart();
            foreach (var op in ops)
            {
                verifier.AppendWithoutSignatureCheck(op);
                kernel.Apply(op.Op);
            }

            var fold = sw.Elapsed.TotalMicroseconds / ops.Count;
            results.Add(string.Create(CultureInfo.InvariantCulture, $"foldCpu={(ThreadCpu() - foldCpu).TotalMicroseconds / ops.Count:F1} foldAlloc={(GC.GetAllocatedBytesForCurrentThread() - foldAlloc) / ops.Count} B signAlloc={signAlloc} B"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rawSign={rawSign:F1}us sign={sign:F1}us {string.Join(' ', results)} fold={fold:F1}us (per op)"));
        }
    }
}
