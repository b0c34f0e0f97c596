using Ledger.Kernel;
using Ledger.Testing;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

public class ClaimTests
{
    private const string Key = "sku:last-1";

    /// <summary>A stocks one unit; B and C each claim it. Relay order: stock, B's claim, C's claim.</summary>
    private static (List<SequencedOp> RelayOrder, Chain A, Chain B, Chain C) LastUnitRace(bool cFirst = false)
    {
        var a = new Chain("site-a");
        var b = new Chain("site-b");
        var c = new Chain("site-c");
        var stock = a.Next(TestManifest.StockPool, new UnitsArgs(1, "restock"), Key);
        var claimB = b.Next(TestManifest.TakeUnit, new UnitsArgs(1, "order-b"), Key);
        var claimC = c.Next(TestManifest.TakeUnit, new UnitsArgs(1, "order-c"), Key);
        var relay = cFirst ? new[] { stock, claimC, claimB } : new[] { stock, claimB, claimC };
        return (relay.Select((op, i) => new SequencedOp(op, i)).ToList(), a, b, c);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Risk", "D3")]
    public void The_first_claim_in_relay_order_wins_and_the_other_folds_to_a_correction_on_every_legal_order(bool cFirst)
    {
        var (relay, _, b, c) = LastUnitRace(cFirst);
        var winner = cFirst ? c : b;
        var loser = cFirst ? b : c;
        var hashes = new HashSet<Hash32>();
        // Every permutation of three ops, folded by a replica that learns the relay order only at the end.
        foreach (var order in Permutations(relay))
        {
            var kernel = TestManifest.NewKernel();
            foreach (var entry in order) kernel.Apply(entry);
            kernel.AdvanceRelayFrontier(3);
            Assert.True(kernel.State.TryGet(Tables.Pools, Key, out var pool));
            Assert.Equal(0, pool.Units);
            Assert.Equal(winner.Author.Value, pool.LastTaker);
            var correction = Assert.Single(kernel.State.Rows(Tables.Backorders));
            Assert.Equal(loser.Author.Value, correction.Value.Author);
            hashes.Add(kernel.StateHash());
        }

        Assert.Single(hashes);
    }

    [Fact]
    [Trait("Risk", "D3")]
    public void A_claim_stays_pending_until_the_relay_prefix_before_it_is_held_even_the_nodes_own()
    {
        var (relay, _, b, _) = LastUnitRace();
        var node = TestManifest.NewKernel();
        // The node of site-b appends its own claim before it has seen anything from the relay.
        var own = node.Apply(relay[1].Op);
        Assert.Equal(ApplyStatus.Pending, own.Status);
        Assert.False(node.State.TryGet(Tables.Pools, Key, out _));
        // It learns its position (1) but does not hold position 0 yet: still pending.
        Assert.Empty(node.AssignPosition(relay[1].Op.Ref, 1));
        Assert.Empty(node.AdvanceRelayFrontier(0));
        node.Apply(relay[0]);
        var released = node.AdvanceRelayFrontier(2);
        Assert.Equal(new[] { relay[0].Op.Ref, relay[1].Op.Ref }, released.Select(r => r.Op));
        Assert.False(released[1].LostClaim);
        Assert.True(node.State.TryGet(Tables.Pools, Key, out var pool));
        Assert.Equal(b.Author.Value, pool.LastTaker);
    }

    [Fact]
    [Trait("Risk", "D3")]
    public void The_losing_claim_reports_its_correction()
    {
        var (relay, _, _, _) = LastUnitRace();
        var kernel = TestManifest.NewKernel();
        kernel.AdvanceRelayFrontier(long.MaxValue);
        var results = relay.Select(kernel.Apply).ToArray();
        Assert.False(results[1].LostClaim);
        Assert.True(results[2].LostClaim);
    }

    [Fact]
    [Trait("Risk", "D3")]
    public void A_claim_delivered_after_a_later_claim_on_its_key_was_folded_is_an_order_violation()
    {
        var (relay, _, _, _) = LastUnitRace();
        var kernel = TestManifest.NewKernel();
        kernel.AdvanceRelayFrontier(long.MaxValue);
        kernel.Apply(relay[0]);
        kernel.Apply(relay[2]);
        var before = kernel.StateHash();
        var e = Assert.Throws<LedgerOrderException>(() => kernel.Apply(relay[1]));
        Assert.Equal(OrderViolation.ClaimOrder, e.Violation);
        Assert.Equal(before, kernel.StateHash());
    }

    [Fact]
    [Trait("Risk", "D3")]
    public void Claims_on_generated_logs_agree_across_legal_orders_and_frontier_schedules()
    {
        var spec = new LogSpec(TestManifest.V1,
            VerbCase.Of(TestManifest.StockPool, FsCheck.Fluent.Gen.Constant(new UnitsArgs(1, "r"))),
            VerbCase.Of(TestManifest.TakeUnit, FsCheck.Fluent.Gen.Constant(new UnitsArgs(1, "o")), 3),
            VerbCase.Of(TestManifest.AddTally, FsCheck.Fluent.Gen.Constant(new AmountArgs("x", 1))))
        { Authors = 5, MinOps = 20, MaxOps = 80 };
        foreach (var log in LedgerGen.Sample(spec, 40, seed: 3))
        {
            Assert.Equal(1, ReplayAssert.AllLegalOrdersAgree(TestManifest.NewKernel, log, 10, log.Count));
        }
    }

    private static IEnumerable<IReadOnlyList<T>> Permutations<T>(IReadOnlyList<T> items)
    {
        if (items.Count <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest)) yield return [items[i], .. tail];
        }
    }
}
