using Ledger.Kernel;
using Ledger.Testing;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

/// <summary>The state memory budget (risk B1): cold segments evicted to a segment store with their hashes kept, loaded
/// back on touch, verified; eviction changes no hash and no fold result.</summary>
public sealed class MemoryBudgetTests
{
    private static LedgerKernel Budgeted(long budget, ISegmentStore? store = null) => new(new KernelOptions
    {
        Manifests = new ManifestCatalog(TestManifest.V1),
        StateMemoryBudget = budget,
        SegmentStore = store,
    });

    [Fact]
    [Trait("Risk", "B1")]
    public void A_budgeted_replay_gives_the_same_state_hash_and_outcomes_as_an_unbudgeted_one_over_generated_logs()
    {
        long evictions = 0, loads = 0;
        foreach (var log in LedgerGen.Sample(TestManifest.Spec(120), 40, seed: 19))
        {
            var order = LedgerGen.LegalOrder(log.Entries, seed: 3);
            foreach (var budget in new long[] { 0, 600, 4_000 })
            {
                var plain = TestManifest.NewKernel();
                var budgeted = Budgeted(budget);
                foreach (var e in order)
                {
                    var a = plain.Apply(e);
                    var b = budgeted.Apply(e);
                    Assert.Equal((a.Status, a.RefusalCode, a.Corrections), (b.Status, b.RefusalCode, b.Corrections));
                }

                Assert.Equal(plain.AdvanceRelayFrontier(long.MaxValue).Select(r => (r.Op, r.Status, r.RefusalCode)),
                    budgeted.AdvanceRelayFrontier(long.MaxValue).Select(r => (r.Op, r.Status, r.RefusalCode)));
                Assert.Equal(plain.StateHash(), budgeted.StateHash());
                Assert.Equal(plain.State.BooksHash(), budgeted.State.BooksHash());
                var memory = budgeted.State.Memory();
                Assert.Equal(0, memory.OverFetchedSegments);
                Assert.Equal(0, memory.FailedLoads);
                evictions += memory.Evictions;
                loads += memory.Loads;

                // Reading every row back (which loads what is evicted) gives the unbudgeted rows.
                Assert.Equal(Rows(plain), Rows(budgeted));
            }
        }

        Assert.True(evictions > 1000, $"the logs evicted only {evictions} segments");
        Assert.True(loads > 1000, $"the logs loaded only {loads} segments");
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void The_state_hash_of_a_state_with_every_segment_evicted_loads_nothing()
    {
        var kernel = Budgeted(0);
        var alice = new Chain("alice");
        for (var i = 0; i < 50; i++) kernel.Apply(alice.Next(TestManifest.PutNote, new NoteArgs("k" + i, "text"), onBranch: new BranchId(alice.Author, "b" + (i % 10))));
        var plain = TestManifest.NewKernel();
        alice = new Chain("alice");
        for (var i = 0; i < 50; i++) plain.Apply(alice.Next(TestManifest.PutNote, new NoteArgs("k" + i, "text"), onBranch: new BranchId(alice.Author, "b" + (i % 10))));

        var before = kernel.State.Memory();
        Assert.Equal(0, before.ResidentSegments);
        Assert.Equal(10, before.EvictedSegments);
        Assert.Equal(plain.StateHash(), kernel.StateHash());
        Assert.Equal(before.Loads, kernel.State.Memory().Loads);
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void Touching_rows_of_evicted_segments_loads_exactly_their_segments()
    {
        var store = new InMemorySegmentStore();
        var kernel = Budgeted(0, store);
        var alice = new Chain("alice");
        for (var i = 0; i < 200; i++) kernel.Apply(alice.Next(TestManifest.PutNote, new NoteArgs("k" + i, "text " + i), onBranch: new BranchId(alice.Author, "b" + (i % 40))));
        Assert.Equal(40, kernel.State.Memory().EvictedSegments);

        var random = new Random(5);
        var log = new List<SegmentId>();
        kernel.State.Residency!.LoadLog = log;
        for (var round = 0; round < 30; round++)
        {
            var touched = Enumerable.Range(0, 3).Select(_ => random.Next(200)).ToArray();
            var expected = touched.Select(i => new SegmentId("notes", $"alice/b{i % 40}")).Distinct().ToArray();
            var evictedBefore = expected.Where(id => kernel.State.Find(id)!.IsEvicted).ToArray();
            log.Clear();
            foreach (var i in touched)
            {
                Assert.True(kernel.State.TryGet(Tables.Notes, new BranchId(alice.Author, "b" + (i % 40)), "k" + i, out var note));
                Assert.Equal("text " + i, note.Text);
            }

            Assert.Equal(evictedBefore.OrderBy(id => id), log.OrderBy(id => id));
            kernel.State.EnforceBudget();
        }

        Assert.Equal(0, kernel.State.Memory().OverFetchedSegments);
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void A_damaged_or_missing_evicted_segment_is_a_typed_error_and_is_never_folded()
    {
        var store = new InMemorySegmentStore();
        var kernel = Budgeted(0, store);
        var alice = new Chain("alice");
        kernel.Apply(alice.Next(TestManifest.MoveStock, new AmountArgs("bolts", 5)));
        kernel.Apply(alice.Next(TestManifest.PutNote, new NoteArgs("n", "x")));
        var stock = new SegmentId("stock", "alice/main");
        Assert.True(kernel.State.Find(stock)!.IsEvicted);
        var hash = kernel.StateHash();

        // A flipped byte: a typed error on a read, naming the segment.
        Assert.True(store.Tamper(stock, rows => { rows[^1] ^= 1; return rows; }));
        var e = Assert.Throws<SegmentDamagedException>(() => kernel.State.TryGet(Tables.Stock, alice.Branch, "bolts", out _));
        Assert.Equal(stock, e.Segment);
        Assert.True(kernel.State.Find(stock)!.IsEvicted);

        // A fold that reads it (MoveStock reads the level) faults the kernel instead of folding a refusal or a zero.
        var fault = Assert.Throws<LedgerException>(() => kernel.Apply(alice.Next(TestManifest.MoveStock, new AmountArgs("bolts", -3))));
        Assert.IsType<SegmentDamagedException>(fault.InnerException);
        Assert.Equal(hash, kernel.StateHash());
        Assert.Equal(2UL, kernel.Authors[alice.Author].Seq);
        Assert.Throws<LedgerException>(() => kernel.Apply(alice.Next(TestManifest.PutNote, new NoteArgs("m", "x"))));
        Assert.True(kernel.State.Memory().FailedLoads >= 1);

        // Rows that hash right but were swapped for another segment's, or lost: typed too.
        var other = Budgeted(0, store = new InMemorySegmentStore());
        var bob = new Chain("bob");
        other.Apply(bob.Next(TestManifest.PutNote, new NoteArgs("n", "x")));
        other.Apply(bob.Next(TestManifest.PutNote, new NoteArgs("n2", "y"), onBranch: new BranchId(bob.Author, "side")));
        var main = new SegmentId("notes", "bob/main");
        var side = new SegmentId("notes", "bob/side");
        var sideRows = store.Read(side)!;
        Assert.True(store.Tamper(main, _ => sideRows));
        Assert.Throws<SegmentDamagedException>(() => other.State.TryGet(Tables.Notes, bob.Branch, "n", out _));
        Assert.True(store.Tamper(main, _ => []));
        Assert.Throws<SegmentDamagedException>(() => other.State.TryGet(Tables.Notes, bob.Branch, "n", out _));
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void A_checkpoint_of_a_budgeted_kernel_restores_under_a_budget_to_the_same_hash()
    {
        foreach (var log in LedgerGen.Sample(TestManifest.Spec(120), 10, seed: 23))
        {
            var budgeted = Budgeted(500);
            foreach (var e in log.Entries) budgeted.Apply(e);
            budgeted.AdvanceRelayFrontier(log.Count);
            var plain = ReplayAssert.Fold(TestManifest.NewKernel, log.Entries, frontierAtEnd: true);
            Assert.Equal(plain, budgeted.StateHash());
            var evicted = budgeted.State.Segments.Where(s => s.IsEvicted).Select(s => s.Id).ToArray();
            var bytes = CheckpointCodec.Encode(budgeted.CreateCheckpoint());

            // Evicted segments are read from the store, verified, not loaded: byte for byte the unbudgeted checkpoint.
            var plainKernel = TestManifest.NewKernel();
            foreach (var e in log.Entries) plainKernel.Apply(e);
            plainKernel.AdvanceRelayFrontier(log.Count);
            Assert.Equal(CheckpointCodec.Encode(plainKernel.CreateCheckpoint()), bytes);
            Assert.All(evicted, id => Assert.True(budgeted.State.Find(id)!.IsEvicted));
            var restored = LedgerKernel.Restore(bytes, new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1), StateMemoryBudget = 500 });
            Assert.Equal(plain, restored.StateHash());
            Assert.True(restored.State.Memory().ResidentBytes <= 500 || restored.State.Memory().ResidentSegments <= 1);
        }
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void Under_a_budget_a_fork_deep_below_the_tip_is_still_told_from_a_duplicate_through_evicted_chain_pages()
    {
        var store = new InMemorySegmentStore();
        var kernel = Budgeted(0, store);
        var alice = new Chain("alice");
        var ops = Enumerable.Range(0, 2500).Select(i => alice.Next(TestManifest.AddTally, new AmountArgs("cash", i))).ToArray();
        foreach (var op in ops) kernel.Apply(op);
        var page = new SegmentId("$chain#0", "alice");
        Assert.NotNull(store.Read(page));

        Assert.Equal(ApplyStatus.Duplicate, kernel.Apply(ops[9]).Status);
        var forked = new Op(Guid.CreateVersion7(), ops[9].Author, ops[9].Seq, ops[9].Prev, ops[9].Manifest, ops[9].Verb, ops[9].VerbVersion, ops[9].Branch, null, ops[9].At + 1, ops[9].Args);
        Assert.Equal(OrderViolation.Fork, Assert.Throws<LedgerOrderException>(() => kernel.Apply(forked)).Violation);

        // A changed page is refused, never taken as the chain's history.
        Assert.True(store.Tamper(page, bytes => { bytes[9 * 32] ^= 1; return bytes; }));
        var e = Assert.Throws<SegmentDamagedException>(() => kernel.Apply(ops[9]));
        Assert.Equal(page, e.Segment);
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void An_unchanged_segment_is_dropped_on_eviction_without_a_rewrite_and_its_next_load_is_still_verified()
    {
        var store = new CountingSegmentStore();
        var kernel = Budgeted(0, store);
        var plain = TestManifest.NewKernel();
        var alice = new Chain("alice");
        var b0 = new SegmentId("notes", "alice/b0");
        var b1 = new SegmentId("notes", "alice/b1");
        void Apply(Op op)
        {
            kernel.Apply(op);
            plain.Apply(op);
        }

        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("k0", "zero"), onBranch: new BranchId(alice.Author, "b0")));
        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("k1", "one"), onBranch: new BranchId(alice.Author, "b1")));
        Assert.Equal((1, 1), (store.WritesOf(b0), store.WritesOf(b1)));

        // Read b0 (a load), then fold an op on b1: the round evicts both; b0 is unchanged, so nothing is written for it.
        Assert.True(kernel.State.TryGet(Tables.Notes, new BranchId(alice.Author, "b0"), "k0", out var note));
        Assert.Equal("zero", note.Text);
        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("k1", "uno"), onBranch: new BranchId(alice.Author, "b1")));
        Assert.True(kernel.State.Find(b0)!.IsEvicted);
        Assert.Equal((1, 2), (store.WritesOf(b0), store.WritesOf(b1)));

        // Changed, then changed back to what the store holds: serialized, found equal, still not written.
        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("k0", "other"), onBranch: new BranchId(alice.Author, "b0")));
        Assert.Equal(2, store.WritesOf(b0));
        Assert.True(kernel.State.TryGet(Tables.Notes, new BranchId(alice.Author, "b0"), "k0", out note));
        Assert.Equal("other", note.Text);
        Assert.Equal(plain.StateHash(), kernel.StateHash());

        // The dropped segment loads again from the rows written before, verified against the kept hash: a changed byte
        // in the store is refused.
        Assert.True(kernel.State.TryGet(Tables.Notes, new BranchId(alice.Author, "b1"), "k1", out note));
        Assert.Equal("uno", note.Text);
        kernel.State.EnforceBudget();
        Assert.Equal(2, store.WritesOf(b1));
        Assert.True(store.Inner.Tamper(b1, rows => { rows[^1] ^= 1; return rows; }));
        Assert.Throws<SegmentDamagedException>(() => kernel.State.TryGet(Tables.Notes, new BranchId(alice.Author, "b1"), "k1", out _));
        Assert.Equal(0, kernel.State.Memory().OverFetchedSegments);
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void A_pass_over_every_segment_leaves_the_segments_a_device_works_on_resident()
    {
        var alice = new Chain("alice");
        var text = new string('t', 8_000);
        Op Note(string branch, string key) => alice.Next(TestManifest.PutNote, new NoteArgs(key, text + key), onBranch: new BranchId(alice.Author, branch));
        var probe = Budgeted(long.MaxValue);
        probe.Apply(new Chain("alice").Next(TestManifest.PutNote, new NoteArgs("w0-0", text + "w0-0"), onBranch: new BranchId(new AuthorId("alice"), "w0")));
        var segmentBytes = probe.State.Memory().ResidentBytes;
        // Room for 30 such segments: the two worked on hold 12 of them, and the 42 segments' shells (which the budget is
        // charged for, SegmentResidency.ShellBytes) take about 5 more.
        var kernel = Budgeted(30 * segmentBytes);

        // Work on two branches, in turns.
        for (var i = 0; i < 6; i++) kernel.Apply(Note("w" + (i % 2), "w" + (i % 2) + "-" + (i / 2)));

        // One op on each of 40 other branches (an import, a sweep): each touched once.
        for (var i = 0; i < 40; i++) kernel.Apply(Note("s" + i, "s"));
        Assert.True(kernel.State.Memory().Evictions >= 20, $"{kernel.State.Memory().Evictions} evictions");

        var log = new List<SegmentId>();
        kernel.State.Residency!.LoadLog = log;
        for (var i = 6; i < 12; i++) kernel.Apply(Note("w" + (i % 2), "w" + (i % 2) + "-" + (i / 2)));
        Assert.True(log.Count == 0, "loaded again: " + string.Join(", ", log) + " " + kernel.State.Memory());
        Assert.Equal(0, kernel.State.Memory().OverFetchedSegments);
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void A_segment_emptied_and_written_again_is_still_evicted()
    {
        var kernel = Budgeted(0);
        var alice = new Chain("alice");
        var x = new SegmentId("notes", "alice/main");
        var p = new BranchId(alice.Author, "p");
        kernel.Apply(alice.Next(TestManifest.PutNote, new NoteArgs("p", "text"), onBranch: p));
        kernel.Apply(alice.Next(TestManifest.PutNote, new NoteArgs("k", "text")));
        var q = new BranchId(alice.Author, "q");
        kernel.Apply(alice.Next(TestManifest.PutNote, new NoteArgs("q", "text"), onBranch: q));
        Assert.True(kernel.State.Find(x)!.IsEvicted);

        // Another segment read twice with a read between (protected), then an op empties x (the last segment touched):
        // the eviction round passes x (nothing to write) on its way to the protected one.
        Assert.True(kernel.State.TryGet(Tables.Notes, p, "p", out _));
        Assert.True(kernel.State.TryGet(Tables.Notes, q, "q", out _));
        Assert.True(kernel.State.TryGet(Tables.Notes, p, "p", out _));
        kernel.Apply(alice.Next(TestManifest.RemoveNote, new NoteArgs("k", "")));
        Assert.Equal(0, kernel.State.Find(x)!.Count);
        Assert.True(kernel.State.Find(new SegmentId("notes", "alice/p"))!.IsEvicted);

        // Written again by the next op: evicted like any other segment.
        kernel.Apply(alice.Next(TestManifest.PutNote, new NoteArgs("k2", "text")));
        Assert.True(kernel.State.Find(x)!.IsEvicted);
        Assert.Equal(0, kernel.State.Memory().ResidentBytes);
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void A_checkpoint_reads_evicted_segments_verified_without_loading_them_and_refuses_a_changed_one()
    {
        var store = new InMemorySegmentStore();
        var kernel = Budgeted(0, store);
        var alice = new Chain("alice");
        for (var i = 0; i < 30; i++) kernel.Apply(alice.Next(TestManifest.PutNote, new NoteArgs("k" + i, "text " + i), onBranch: new BranchId(alice.Author, "b" + (i % 6))));
        Assert.Equal(6, kernel.State.Memory().EvictedSegments);

        var log = new List<SegmentId>();
        kernel.State.Residency!.LoadLog = log;
        var evictions = kernel.State.Memory().Evictions;
        var checkpoint = kernel.CreateCheckpoint();
        Assert.Equal(evictions, kernel.State.Memory().Evictions); // nothing was loaded, so nothing had to be evicted again
        Assert.Equal(6, kernel.State.Memory().EvictedSegments);
        Assert.Equal(0, kernel.State.Memory().ResidentBytes);
        Assert.Equal(checkpoint.Segments.Where(s => s.Id.Table == "notes").Select(s => s.Id).Order(), log.Order());
        Assert.Equal(kernel.StateHash(), LedgerKernel.Restore(CheckpointCodec.Encode(checkpoint), new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1) }).StateHash());

        // A changed byte in the store: the checkpoint is refused with a typed error, counted as a failed load.
        var b3 = new SegmentId("notes", "alice/b3");
        Assert.True(store.Tamper(b3, rows => { rows[^1] ^= 1; return rows; }));
        var e = Assert.Throws<SegmentDamagedException>(() => kernel.CreateCheckpoint());
        Assert.Equal(b3, e.Segment);
        Assert.True(kernel.State.Memory().FailedLoads >= 1);
    }

    /// <summary>Counts the writes of each segment into an <see cref="InMemorySegmentStore"/>.</summary>
    private sealed class CountingSegmentStore : ISegmentStore
    {
        private readonly Dictionary<SegmentId, int> _writes = [];

        public InMemorySegmentStore Inner { get; } = new();

        public int WritesOf(SegmentId id) => _writes.GetValueOrDefault(id);

        public void Write(SegmentId id, Hash32 hash, ReadOnlyMemory<byte> rows)
        {
            _writes[id] = WritesOf(id) + 1;
            Inner.Write(id, hash, rows);
        }

        public byte[]? Read(SegmentId id) => Inner.Read(id);
    }

    private static List<(SegmentId, string, string)> Rows(LedgerKernel kernel) =>
        kernel.State.Segments.SelectMany(s => s.SortedKeys().Select(k => (s.Id, k, Convert.ToHexString(s.EncodedValue(k)!)))).ToList();
}
