using System.Buffers.Binary;
using Ledger.Kernel;
using Ledger.Testing;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

/// <summary>A second pair of eyes on the provenance records a budgeted kernel keeps in its segment store (risk B1):
/// a record cut short at any length, with a length prefix far past its end, or another record's bytes, is a
/// <see cref="SegmentDamagedException"/> naming the record — from a row question and from an op question — never an
/// IndexOutOfRange, an OutOfMemory or an answer short of the ops it lost; and the fold goes on.</summary>
public sealed class ProvenanceRecordAttackTests
{
    private static LedgerKernel Budgeted(ISegmentStore store) => new(new KernelOptions
    {
        Manifests = new ManifestCatalog(TestManifest.V1),
        StateMemoryBudget = 0,
        SegmentStore = store,
    });

    // The record's layout (ProvenanceSpill.Encode): u32 authors, each u8 length ‖ id; u32 rows, each u32 chars ‖
    // UTF-16 ‖ u32 ops ‖ ops of 12 bytes. Big-endian.
    public static TheoryData<string> Changes => new()
    {
        "truncated", "author count", "author length", "row count", "key length", "op count", "author index", "trailing", "other record", "empty",
    };

    [Theory]
    [Trait("Risk", "B1")]
    [Trait("Category", "BadInput")]
    [MemberData(nameof(Changes))]
    public void A_provenance_record_cut_short_overlong_or_swapped_is_a_typed_error_naming_it_and_the_fold_goes_on(string change)
    {
        var store = new InMemorySegmentStore();
        var kernel = Budgeted(store);
        var plain = TestManifest.NewKernel();
        var alice = new Chain("alice");
        var ops = new List<Op>();
        void Apply(Op op)
        {
            kernel.Apply(op);
            plain.Apply(op);
            ops.Add(op);
        }

        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("n", "x")));
        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("m", "y")));
        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("n", "z"), onBranch: new BranchId(alice.Author, "side")));
        var main = new SegmentId("notes", "alice/main");
        var spill = kernel.Provenance!.Spill!;
        var record = spill.RecordIds(main)[0];
        var other = spill.RecordIds(new SegmentId("notes", "alice/side"))[0];
        var original = store.Read(record)!;
        var authorLength = original[4];
        var rows = 4 + 1 + authorLength;
        var firstKey = rows + 4;
        var firstOps = firstKey + 4 + (2 * (int)BinaryPrimitives.ReadUInt32BigEndian(original.AsSpan(firstKey)));
        var lengths = change == "truncated" ? Enumerable.Range(0, original.Length).ToArray() : [0];
        foreach (var length in lengths)
        {
            Assert.True(store.Tamper(record, bytes =>
            {
                var changed = change switch
                {
                    "truncated" => original[..length],
                    "empty" => [],
                    "other record" => store.Read(other)!,
                    "trailing" => [.. original, 0],
                    _ => (byte[])original.Clone(),
                };
                switch (change)
                {
                    case "author count": BinaryPrimitives.WriteUInt32BigEndian(changed, uint.MaxValue); break;
                    case "author length": changed[4] = 255; break;
                    case "row count": BinaryPrimitives.WriteUInt32BigEndian(changed.AsSpan(rows), int.MaxValue); break;
                    case "key length": BinaryPrimitives.WriteUInt32BigEndian(changed.AsSpan(firstKey), uint.MaxValue); break;
                    case "op count": BinaryPrimitives.WriteUInt32BigEndian(changed.AsSpan(firstOps), int.MaxValue); break;
                    case "author index": BinaryPrimitives.WriteUInt32BigEndian(changed.AsSpan(firstOps + 4), 7); break;
                }

                return changed;
            }));
            var e = Assert.Throws<SegmentDamagedException>(() => kernel.Provenance.For(main, "n"));
            Assert.Equal(record, e.Segment);
            Assert.Throws<SegmentDamagedException>(() => kernel.Provenance.RowsOf(ops[0].Ref));
        }

        // The fold does not read provenance back: it goes on to the unbudgeted hash; the other segment still answers.
        Apply(alice.Next(TestManifest.PutNote, new NoteArgs("n", "w")));
        Assert.Equal(plain.StateHash(), kernel.StateHash());
        Assert.Equal([ops[2].Ref], kernel.Provenance.For(new SegmentId("notes", "alice/side"), "n"));
    }
}
