using System.Globalization;
using Ledger.Kernel;
using Ledger.TestDomain;
using Xunit.Abstractions;

namespace Ledger.Sync.Tests;

/// <summary>The B1 witness at CI scale: a fold under a state memory budget, its segments evicted to a SQLite segment
/// store, keeps the managed heap under budget plus a stated overhead, and ends at the hash of an unbudgeted fold.
/// Long run (docs/performance.md, "State memory budget"): LEDGER_B1_OPS, LEDGER_B1_ROWS, LEDGER_B1_BUDGET (bytes),
/// LEDGER_B1_VALUE (bytes per row value), e.g. 10000000 / 1000000 / 67108864 / 200.</summary>
[Collection(HeapMeasurementCollection.Name)]
public sealed class MemoryBudgetWitnessTests(ITestOutputHelper output)
{
    private const int RowsPerSegment = 50;

    // The stated overhead beyond the budget: a fixed part (runtime, test host, SQLite, one op in flight, the eviction
    // round's serialized rows, the last page of chain hashes) plus the one thing that still grows with the log: the kept
    // hash of each evicted page of 1,024 chain hashes (about 40 bytes; 64 stated). What each segment holds beyond its rows'
    // estimate (about 1 KB, measured) is charged to the budget itself (SegmentResidency.ShellBytes), so it is not overhead.
    private const long FixedOverhead = 4L << 20;
    private const long PerPageOfOps = 64;

    private static long Env(string name, long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    [Fact]
    [Trait("Risk", "B1")]
    public void A_fold_under_a_state_budget_keeps_the_heap_under_budget_plus_the_stated_overhead_and_ends_at_the_unbudgeted_hash()
    {
        var ops = Env("LEDGER_B1_OPS", 200_000);
        var rows = Env("LEDGER_B1_ROWS", 20_000);
        var budget = Env("LEDGER_B1_BUDGET", 2L << 20);
        var valueBytes = (int)Env("LEDGER_B1_VALUE", 500);
        var segments = (rows + RowsPerSegment - 1) / RowsPerSegment;
        var dir = World.TempDir();
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            Hash32 budgetedHash;
            long budgetedPeak;
            StateMemoryReport memory;
            using (var store = new SqliteSegmentStore(Path.Combine(dir, "segments.db")))
            {
                (budgetedHash, budgetedPeak, memory) = Fold(ops, rows, valueBytes, new KernelOptions
                {
                    Manifests = new ManifestCatalog(TestManifest.V1), TrackProvenance = false, StateMemoryBudget = budget, SegmentStore = store,
                });
            }

            var budgetedTook = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            started = System.Diagnostics.Stopwatch.GetTimestamp();
            var (plainHash, plainPeak, plainMemory) = Fold(ops, rows, valueBytes, new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1), TrackProvenance = false });
            var plainTook = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var bound = budget + FixedOverhead + (PerPageOfOps * ops / 1024);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ops} ops into {rows} rows ({segments} segments), budget {budget} B: peak heap growth {budgetedPeak} B (bound {bound} B), {budgetedTook.TotalSeconds:F1} s, {memory}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"unbudgeted: peak heap growth {plainPeak} B, state estimate {plainMemory.ResidentBytes} B, {plainTook.TotalSeconds:F1} s"));

            Assert.Equal(plainHash, budgetedHash);
            Assert.True(budgetedPeak <= bound, $"the heap grew by {budgetedPeak} bytes, over the budget plus the stated overhead ({bound})");
            Assert.Equal(0, memory.OverFetchedSegments);
            Assert.Equal(0, memory.FailedLoads);
            Assert.True(memory.Evictions > 0 && memory.Loads > 0);

            // The bound means something: without the budget the same fold goes over it.
            Assert.True(plainPeak > bound, $"the unbudgeted fold grew by {plainPeak} bytes, inside the bound {bound}: the witness would not see a missing budget");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void With_provenance_on_a_fold_under_a_state_budget_keeps_the_heap_under_budget_plus_the_stated_overhead_and_answers_as_the_unbudgeted_index()
    {
        // Provenance is on by default: here every one of the ops is one more OpRef on a row, which under the budget goes
        // to the segment store with its segment. Sized so that the unbudgeted provenance alone outgrows the overhead.
        var ops = Env("LEDGER_B1P_OPS", 200_000);
        var rows = Env("LEDGER_B1P_ROWS", 20_000);
        var budget = Env("LEDGER_B1P_BUDGET", 2L << 20);
        var valueBytes = (int)Env("LEDGER_B1P_VALUE", 500);
        var dir = World.TempDir();
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var store = new SqliteSegmentStore(Path.Combine(dir, "segments.db"));
            var (budgetedHash, budgetedPeak, memory, budgeted) = FoldKeeping(ops, rows, valueBytes, new KernelOptions
            {
                Manifests = new ManifestCatalog(TestManifest.V1), StateMemoryBudget = budget, SegmentStore = store,
            });
            var budgetedTook = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            started = System.Diagnostics.Stopwatch.GetTimestamp();
            var (plainHash, plainPeak, _, plain) = FoldKeeping(ops, rows, valueBytes, new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1) });
            var plainTook = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var bound = budget + FixedOverhead + (PerPageOfOps * ops / 1024);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"provenance on: {ops} ops into {rows} rows, budget {budget} B: peak heap growth {budgetedPeak} B (bound {bound} B), {budgetedTook.TotalSeconds:F1} s, {memory}, provenance {memory.ProvenanceBytes} B"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"unbudgeted, provenance on: peak heap growth {plainPeak} B, {plainTook.TotalSeconds:F1} s"));

            Assert.Equal(plainHash, budgetedHash);
            Assert.True(budgetedPeak <= bound, $"the heap grew by {budgetedPeak} bytes, over the budget plus the stated overhead ({bound})");
            Assert.Equal(0, memory.OverFetchedSegments);
            Assert.Equal(0, memory.FailedLoads);
            Assert.Equal(0, memory.FailedEvictions);
            Assert.True(memory.ProvenanceBytes < budget, $"provenance holds {memory.ProvenanceBytes} bytes in memory");

            // Tapping rows of evicted and resident segments gives what the unbudgeted index gives, without loading them.
            var random = new Random(19);
            long evicted = 0;
            var loadsBefore = budgeted.State.Memory().Loads;
            for (var i = 0; i < 200; i++)
            {
                var row = random.NextInt64(rows);
                var segment = new SegmentId("notes", "alice/b" + (row / RowsPerSegment).ToString(CultureInfo.InvariantCulture));
                var key = "row-" + row.ToString("D7", CultureInfo.InvariantCulture);
                if (budgeted.State.Find(segment)!.IsEvicted) evicted++;
                var expected = plain.Provenance!.For(segment, key);
                Assert.Equal(ops / rows, expected.Count);
                Assert.Equal(expected, budgeted.Provenance!.For(segment, key));
            }

            Assert.True(evicted is > 0 and < 200, $"{evicted} of 200 rows tapped were in evicted segments");
            Assert.Equal(loadsBefore, budgeted.State.Memory().Loads);

            // The bound means something: without the budget the same fold with provenance goes over it.
            Assert.True(plainPeak > bound, $"the unbudgeted fold grew by {plainPeak} bytes, inside the bound {bound}: the witness would not see unbounded provenance");
            GC.KeepAlive(budgeted);
            GC.KeepAlive(plain);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Folds <paramref name="ops"/> note writes sweeping over <paramref name="rows"/> rows, 50 per branch
    /// (segment), and measures the managed heap (after a full collection) every 1/20th of the run.</summary>
    private static (Hash32 Hash, long PeakGrowth, StateMemoryReport Memory) Fold(long ops, long rows, int valueBytes, KernelOptions options)
    {
        var (hash, peak, memory, _) = FoldKeeping(ops, rows, valueBytes, options);
        return (hash, peak, memory);
    }

    /// <summary><see cref="Fold"/>, returning the kernel too (its heap is measured with it alive).</summary>
    private static (Hash32 Hash, long PeakGrowth, StateMemoryReport Memory, LedgerKernel Kernel) FoldKeeping(long ops, long rows, int valueBytes, KernelOptions options)
    {
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var kernel = new LedgerKernel(options);
        var author = new AuthorId("alice");
        var manifest = TestManifest.V1;
        var prev = default(Hash32);
        var at = 1_767_225_600_000L;
        var text = new string('v', valueBytes);
        var branches = new Dictionary<long, BranchId>();
        var every = Math.Max(1, ops / 20);
        long peak = 0;
        for (var i = 0L; i < ops; i++)
        {
            var row = i % rows;
            var segment = row / RowsPerSegment;
            if (!branches.TryGetValue(segment, out var branch)) branches[segment] = branch = new BranchId(author, "b" + segment.ToString(CultureInfo.InvariantCulture));
            at++;
            var op = manifest.CreateOp(TestManifest.PutNote, new NoteArgs("row-" + row.ToString("D7", CultureInfo.InvariantCulture), text), author, (ulong)(i + 1), prev, branch, at,
                World.DeterministicId(DateTimeOffset.FromUnixTimeMilliseconds(at)));
            prev = op.ChainHash;
            kernel.Apply(op);
            if ((i + 1) % every == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        }

        var hash = kernel.StateHash();
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        var memory = kernel.State.Memory();
        return (hash, peak, memory, kernel);
    }
}
