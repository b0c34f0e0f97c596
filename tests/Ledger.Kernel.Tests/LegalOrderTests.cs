using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

/// <summary>The rules of docs/legal-orders.md that no other test enforced, one test per rule.</summary>
public class LegalOrderTests
{
    /// <summary>A Claim verb that writes its key in two claim tables.</summary>
    internal sealed class ReserveTwice() : Verb<UnitsArgs>("pool.reserve2", 1, Scope.Claim)
    {
        protected override void Execute(VerbContext ctx, UnitsArgs args)
        {
            var held = ctx.TryGetClaim(Holds, out var h) ? h : 0L;
            ctx.SetClaim(Tables.Pools, new Pool(args.Units, ctx.Author.Value));
            ctx.SetClaim(Holds, held + args.Units);
        }
    }

    /// <summary>Refuses, catches its own refusal and writes anyway.</summary>
    internal sealed class CatchesRefusal() : Verb<AmountArgs>("tally.catch-refusal", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext ctx, AmountArgs args)
        {
            try
            {
                ctx.Refuse("no");
            }
            catch (VerbRefusedException)
            {
                // deliberately caught
            }

            ctx.Add(Tables.Balances, args.Key, args.Amount);
        }
    }

    internal static readonly ClaimTable<long> Holds = new("holds");
    internal static readonly ReserveTwice Reserve = new();
    internal static readonly CatchesRefusal Catches = new();

    internal static readonly Manifest Rules = new ManifestBuilder("testdomain-rules", 1)
        .Tables([.. Tables.All, Holds])
        .Add(TestManifest.AddTally, TestManifest.PutNote, TestManifest.TakeUnit, TestManifest.StockPool, Reserve, Catches)
        .Build();

    [Fact]
    [Trait("Risk", "D3")]
    public void The_relay_frontier_may_repeat_go_back_or_advance_on_an_empty_kernel_and_nothing_changes()
    {
        var kernel = new LedgerKernel(Rules);
        var empty = kernel.StateHash();
        Assert.Empty(kernel.AdvanceRelayFrontier(5));
        Assert.Empty(kernel.AdvanceRelayFrontier(5));
        Assert.Empty(kernel.AdvanceRelayFrontier(2));
        Assert.Equal(5L, kernel.RelayFrontier);
        Assert.Equal(empty, kernel.StateHash());
    }

    [Fact]
    [Trait("Risk", "D3")]
    public void A_claim_arriving_below_the_frontier_folds_at_once_and_one_at_or_above_it_waits()
    {
        var kernel = new LedgerKernel(Rules);
        kernel.AdvanceRelayFrontier(3);
        var a = new Chain("a");
        Assert.Equal(ApplyStatus.Folded, kernel.Apply(a.Next(TestManifest.StockPool, new UnitsArgs(2, "r"), "k", manifest: Rules), 1).Status);
        Assert.Equal(ApplyStatus.Pending, kernel.Apply(a.Next(TestManifest.TakeUnit, new UnitsArgs(1, "r"), "k", manifest: Rules), 3).Status);
    }

    [Fact]
    [Trait("Risk", "D3")]
    public void A_pending_claim_holds_back_none_of_its_authors_later_branch_shared_or_claim_ops()
    {
        var kernel = new LedgerKernel(Rules);
        var a = new Chain("a");
        Assert.Equal(ApplyStatus.Pending, kernel.Apply(a.Next(TestManifest.StockPool, new UnitsArgs(2, "r"), "k1", manifest: Rules), 4).Status);
        Assert.Equal(ApplyStatus.Folded, kernel.Apply(a.Next(TestManifest.PutNote, new NoteArgs("n", "x"), manifest: Rules)).Status);
        Assert.Equal(ApplyStatus.Folded, kernel.Apply(a.Next(TestManifest.AddTally, new AmountArgs("t", 1), manifest: Rules)).Status);
        Assert.Equal(ApplyStatus.Pending, kernel.Apply(a.Next(TestManifest.StockPool, new UnitsArgs(1, "r"), "k2", manifest: Rules), 2).Status);

        // Claims fold in relay-position order, not chain order: k2 (position 2) before k1 (position 4).
        var released = kernel.AdvanceRelayFrontier(10);
        Assert.Equal([4UL, 1UL], released.Select(r => r.Op.Seq));
    }

    [Fact]
    [Trait("Risk", "D3")]
    public void A_position_is_assigned_once_the_same_one_again_is_a_no_op_and_another_is_an_order_violation()
    {
        var kernel = new LedgerKernel(Rules);
        kernel.AdvanceRelayFrontier(10);
        var op = new Chain("a").Next(TestManifest.StockPool, new UnitsArgs(2, "r"), "k", manifest: Rules);
        Assert.Equal(ApplyStatus.Pending, kernel.Apply(op).Status);
        var first = kernel.AssignPosition(op.Ref, 12);
        Assert.Empty(first);
        Assert.Empty(kernel.AssignPosition(op.Ref, 12));
        Assert.Equal(OrderViolation.Position, Assert.Throws<LedgerOrderException>(() => kernel.AssignPosition(op.Ref, 11)).Violation);
        Assert.Equal(ApplyStatus.Folded, Assert.Single(kernel.AdvanceRelayFrontier(13)).Status);
    }

    [Fact]
    [Trait("Risk", "D3")]
    public void A_claim_verb_may_write_its_key_in_two_claim_tables_and_the_key_serializes_both()
    {
        var relay = new[]
        {
            new SequencedOp(new Chain("a").Next(Reserve, new UnitsArgs(2, "r"), "k", manifest: Rules), 0),
            new SequencedOp(new Chain("b").Next(Reserve, new UnitsArgs(3, "r"), "k", manifest: Rules), 1),
        };
        var inOrder = new LedgerKernel(Rules);
        inOrder.AdvanceRelayFrontier(2);
        foreach (var e in relay) Assert.Equal(ApplyStatus.Folded, inOrder.Apply(e).Status);

        var reversed = new LedgerKernel(Rules);
        reversed.Apply(relay[1]);
        reversed.Apply(relay[0]);
        reversed.AdvanceRelayFrontier(2);
        Assert.Equal(inOrder.StateHash(), reversed.StateHash());
        Assert.True(reversed.State.TryGet(Holds, "k", out var held));
        Assert.Equal(5L, held);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_refusal_the_verb_catches_still_refuses_with_its_code()
    {
        var kernel = new LedgerKernel(Rules);
        var result = kernel.Apply(new Chain("a").Next(Catches, new AmountArgs("t", 5), manifest: Rules));
        Assert.Equal(ApplyStatus.Refused, result.Status);
        Assert.Equal("rule:no", result.RefusalCode);
        Assert.Equal((Int128)0, kernel.State.Get(Tables.Balances, "t"));
    }
}
