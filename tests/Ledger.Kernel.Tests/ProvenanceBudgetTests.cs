using Ledger.Kernel;
using Ledger.Testing;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

/// <summary>Provenance under a state memory budget (risk B1): each segment's provenance rides with it to the segment
/// store, is charged to the budget while in memory, and answers as the unbudgeted index does; a damaged record is a
/// typed error.</summary>
public sealed class ProvenanceBudgetTests
{
    private static LedgerKernel Budgeted(long budget, ISegmentStore store) => new(new KernelOptions
    {
        Manifests = new ManifestCatalog(TestManifest.V1),
        StateMemoryBudget = budget,
        SegmentStore = store,
    });

    [Fact]
    [Trait("Risk", "B1")]
    public void Under_a_budget_provenance_goes_to_the_segment_store_with_its_segments_and_answers_as_the_unbudgeted_index_for_evicted_and_resident_rows()
    {
        long askedEvicted = 0, askedResident = 0, askedMixed = 0, records = 0;
        foreach (var log in LedgerGen.Sample(TestManifest.Spec(120), 30, seed: 23))
        {
            var order = LedgerGen.LegalOrder(log.Entries, seed: 5);
            foreach (var budget in new long[] { 0, 4_000, 30_000, 60_000 })
            {
                var plain = TestManifest.NewKernel();
                var store = new InMemorySegmentStore();
                var budgeted = Budgeted(budget, store);
                // Every row any op wrote so far (rows removed since included), asked of both, every 30 ops and at the end:
                // rows of evicted segments, and of resident ones with records in the store; asking loads no segment.
                var loads = new List<SegmentId>();
                budgeted.State.Residency!.LoadLog = loads;
                (SegmentId Segment, string Key)[] Ask(int applied)
                {
                    var rows = order.Take(applied).SelectMany(e => plain.Provenance!.RowsOf(e.Op.Ref)).Distinct().ToArray();
                    loads.Clear();
                    foreach (var (segment, key) in rows)
                    {
                        if (budgeted.State.Find(segment) is { IsEvicted: true }) askedEvicted++;
                        else if (budgeted.Provenance!.Spill!.RecordIds(segment).Count > 0) askedMixed++; // records in the store, and a tail
                        else askedResident++;
                        Assert.Equal(plain.Provenance!.For(segment, key), budgeted.Provenance!.For(segment, key));
                    }

                    foreach (var e in order.Take(applied)) Assert.Equal(plain.Provenance!.RowsOf(e.Op.Ref), budgeted.Provenance!.RowsOf(e.Op.Ref));
                    Assert.Empty(loads);
                    return rows;
                }

                for (var i = 0; i < order.Count; i++)
                {
                    plain.Apply(order[i]);
                    budgeted.Apply(order[i]);
                    if (i % 30 == 29) Ask(i + 1);
                }

                plain.AdvanceRelayFrontier(long.MaxValue);
                budgeted.AdvanceRelayFrontier(long.MaxValue);
                Assert.Equal(plain.StateHash(), budgeted.StateHash());
                var rows = Ask(order.Count);

                // What stays in memory is charged: with a budget of 0 every tail went out with its segment, and what is
                // left is each segment's shell and record descriptors.
                var spill = budgeted.Provenance!.Spill!;
                records += spill.RecordsWritten;
                var memory = budgeted.State.Memory();
                Assert.Equal(spill.Bytes, memory.ProvenanceBytes);
                if (budget == 0)
                {
                    var segments = rows.Select(r => r.Segment).Distinct().ToArray();
                    var descriptors = segments.Sum(s => spill.RecordIds(s).Count);
                    Assert.Equal((segments.Length * ProvenanceSpill.ShellBytes) + (descriptors * ProvenanceSpill.RecordBytes), memory.ProvenanceBytes);
                    Assert.All(segments, s => Assert.NotNull(store.Read(spill.RecordIds(s)[0])));
                }
            }
        }

        Assert.True(askedEvicted > 1000 && askedMixed > 20 && askedResident > 100,
            $"asked {askedEvicted} rows of evicted segments, {askedMixed} of resident ones with records and {askedResident} of resident ones without");
        Assert.True(records > 1000, $"only {records} provenance records were written");
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void A_segment_written_by_every_op_keeps_a_logarithmic_number_of_provenance_records_and_its_whole_history()
    {
        var store = new InMemorySegmentStore();
        var kernel = Budgeted(0, store);
        var alice = new Chain("alice");
        var expected = new List<OpRef>();
        for (var i = 0; i < 3_000; i++)
        {
            var op = alice.Next(TestManifest.AddTally, new AmountArgs("cash", 1));
            expected.Add(op.Ref);
            kernel.Apply(op);
        }

        var balances = new SegmentId("balances", "");
        Assert.True(kernel.State.Find(balances)!.IsEvicted);
        var records = kernel.Provenance!.Spill!.RecordIds(balances).Count;
        Assert.InRange(records, 1, 18); // at most about 1.44 · log2(3,000) + 1; one record a spill would be 3,000
        Assert.Equal(expected, kernel.Provenance.For(balances, "cash"));
    }

    [Fact]
    [Trait("Risk", "B1")]
    public void A_damaged_missing_or_swapped_provenance_record_is_a_typed_error_and_the_fold_goes_on()
    {
        var store = new InMemorySegmentStore();
        var kernel = Budgeted(0, store);
        var plain = TestManifest.NewKernel();
        var alice = new Chain("alice");
        var side = new BranchId(alice.Author, "side");
        Op Apply(Op op)
        {
            kernel.Apply(op);
            plain.Apply(op);
            return op;
        }

        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("n", "x")));
        var second = Apply(alice.Next(TestManifest.PutNote, new NoteArgs("n", "y")));
        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("m", "z"), onBranch: side));
        var main = new SegmentId("notes", "alice/main");
        var sideId = new SegmentId("notes", "alice/side");
        var spill = kernel.Provenance!.Spill!;
        var record = Assert.Single(spill.RecordIds(main));
        Assert.Equal(plain.Provenance!.For(main, "n"), kernel.Provenance.For(main, "n"));

        // A flipped byte: a typed error naming the record, from a row question and from an op question.
        Assert.True(store.Tamper(record, bytes => { bytes[^1] ^= 1; return bytes; }));
        var e = Assert.Throws<SegmentDamagedException>(() => kernel.Provenance.For(main, "n"));
        Assert.Equal(record, e.Segment);
        Assert.Contains("provenance of notes@alice/main", e.Message, StringComparison.Ordinal);
        Assert.Throws<SegmentDamagedException>(() => kernel.Provenance.RowsOf(second.Ref));

        // The fold does not need provenance records: it goes on, to the unbudgeted hash, and the damage stays reported
        // (a merge that meets the damaged record leaves the records as they are).
        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("n", "w")));
        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("n", "v")));
        Assert.Equal(plain.StateHash(), kernel.StateHash());
        Assert.Throws<SegmentDamagedException>(() => kernel.Provenance.For(main, "n"));

        // Lost, or swapped for another segment's record (which hashes right for that one): typed too.
        var other = Budgeted(0, store = new InMemorySegmentStore());
        var bob = new Chain("bob");
        other.Apply(bob.Next(TestManifest.PutNote, new NoteArgs("n", "x")));
        var bobSecond = bob.Next(TestManifest.PutNote, new NoteArgs("n2", "y"), onBranch: new BranchId(bob.Author, "side"));
        other.Apply(bobSecond);
        var bobMain = Assert.Single(other.Provenance!.Spill!.RecordIds(new SegmentId("notes", "bob/main")));
        var bobSide = Assert.Single(other.Provenance.Spill.RecordIds(new SegmentId("notes", "bob/side")));
        var sideBytes = store.Read(bobSide)!;
        Assert.True(store.Tamper(bobMain, _ => sideBytes));
        Assert.Throws<SegmentDamagedException>(() => other.Provenance.For(new SegmentId("notes", "bob/main"), "n"));
        Assert.True(store.Tamper(bobMain, _ => []));
        Assert.Throws<SegmentDamagedException>(() => other.Provenance.For(new SegmentId("notes", "bob/main"), "n"));
        Assert.Equal([bobSecond.Ref], other.Provenance.For(new SegmentId("notes", "bob/side"), "n2"));
        Assert.NotEmpty(kernel.Provenance.For(sideId, "m"));
    }
}
