using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Testing.Tests;

/// <summary>"All legal orders" is exhaustive for logs small enough.</summary>
public class AllLegalOrdersTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public void Every_legal_order_of_a_small_log_is_enumerated_and_orders_that_break_a_claim_key_are_not()
    {
        var spec = new LogSpec(TestManifest.V1,
            VerbCase.Of(TestManifest.AddTally, FsCheck.Fluent.Gen.Constant(new AmountArgs("a", 1))),
            VerbCase.Of(TestManifest.TakeUnit, FsCheck.Fluent.Gen.Constant(new UnitsArgs(1, "r")))) { MinOps = 6, MaxOps = 6, Authors = 3 };
        foreach (var log in LedgerGen.Sample(spec, 20, seed: 3))
        {
            var all = LedgerGen.AllLegalOrders(log.Entries, 1_000_000);
            Assert.NotNull(all);
            Assert.Equal(all.Count, all.Select(o => string.Join(",", o.Select(e => e.Op.Ref))).Distinct().Count());

            // Brute force: every permutation that keeps each author's seq order and each claim key's relay order.
            var expected = Permutations(log.Entries.ToList()).Count(p => IsLegal(p, log.Entries));
            Assert.Equal(expected, all.Count);
            Assert.Null(LedgerGen.AllLegalOrders(log.Entries, all.Count - 1));
        }
    }

    private static bool IsLegal(IReadOnlyList<SequencedOp> order, IReadOnlyList<SequencedOp> relay)
    {
        var seen = order.Select((e, i) => (e.Op.Ref, i)).ToDictionary(x => x.Ref, x => x.i);
        foreach (var a in relay)
        {
            foreach (var b in relay)
            {
                var before = (long)a.Position! < (long)b.Position!;
                var constrained = a.Op.Author == b.Op.Author || (a.Op.ClaimKey is not null && a.Op.ClaimKey == b.Op.ClaimKey);
                if (before && constrained && seen[a.Op.Ref] > seen[b.Op.Ref]) return false;
            }
        }

        return true;
    }

    private static IEnumerable<IReadOnlyList<SequencedOp>> Permutations(List<SequencedOp> items)
    {
        if (items.Count == 0)
        {
            yield return [];
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToList();
            foreach (var tail in Permutations(rest)) yield return [items[i], .. tail];
        }
    }
}
