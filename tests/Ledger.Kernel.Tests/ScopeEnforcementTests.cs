using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

public class ScopeEnforcementTests
{
    private static (LedgerKernel Kernel, ApplyResult Result) FoldOne(Func<Chain, Op> make, params Func<Chain, Op>[] before)
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        foreach (var b in before) kernel.Apply(b(chain));
        return (kernel, kernel.Apply(make(chain)));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_shared_verb_writing_a_branch_row_is_refused_with_scope_and_leaves_no_effect()
    {
        var (kernel, result) = FoldOne(c => c.Next(TestManifest.SharedWritesBranch, new NoteArgs("a", "x")));
        Assert.Equal(ApplyStatus.Refused, result.Status);
        Assert.Equal("scope", result.RefusalCode);
        Assert.Equal(Int128.Zero, kernel.State.Get(Tables.Balances, "a"));
        Assert.Single(kernel.State.Refusals());
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_verb_that_swallows_its_scope_exception_is_still_refused()
    {
        var (kernel, result) = FoldOne(c => c.Next(TestManifest.SwallowsViolation, new NoteArgs("a", "x")));
        Assert.Equal("scope", result.RefusalCode);
        Assert.Equal(Int128.Zero, kernel.State.Get(Tables.Balances, "a"));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_mixed_merge_is_refused_with_merge()
    {
        var (kernel, result) = FoldOne(c => c.Next(TestManifest.MixedMerge, new AmountArgs("a", 5)));
        Assert.Equal("merge", result.RefusalCode);
        Assert.Null(kernel.State.Find(new SegmentId("balances", "")));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_write_to_an_undeclared_table_is_refused()
    {
        var (_, result) = FoldOne(c => c.Next(TestManifest.WritesUndeclared, new AmountArgs("a", 5)));
        Assert.Equal("scope", result.RefusalCode);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_branch_verb_touching_a_claim_row_is_refused()
    {
        var (_, result) = FoldOne(c => c.Next(TestManifest.BranchTouchesClaim, new UnitsArgs(1, "x")));
        Assert.Equal("scope", result.RefusalCode);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_branch_op_by_a_non_owner_is_refused_from_the_op_alone()
    {
        var kernel = TestManifest.NewKernel();
        var owner = new Chain("till-1");
        var intruder = new Chain("till-2");
        var result = kernel.Apply(intruder.Next(TestManifest.PutNote, new NoteArgs("a", "x"), onBranch: owner.Branch));
        Assert.Equal(ApplyStatus.Refused, result.Status);
        Assert.Equal("owner", result.RefusalCode);
        Assert.False(kernel.State.TryGet(Tables.Notes, owner.Branch, "a", out _));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_claim_key_on_a_non_claim_op_and_a_claim_op_without_one_are_refused()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        Assert.Equal("claimkey", kernel.Apply(chain.Next(TestManifest.AddTally, new AmountArgs("a", 1), claimKey: "k")).RefusalCode);
        Assert.Equal("claimkey", kernel.Apply(chain.Next(TestManifest.TakeUnit, new UnitsArgs(1, "r"))).RefusalCode);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void Effects_are_applied_only_if_the_verb_succeeds()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        Assert.Equal(ApplyStatus.Folded, kernel.Apply(chain.Next(TestManifest.ThrowsHalfway, new AmountArgs("a", 2))).Status);
        var before = kernel.StateHash();
        var result = kernel.Apply(chain.Next(TestManifest.ThrowsHalfway, new AmountArgs("a", 3)));
        Assert.Equal("fault:System.InvalidOperationException", result.RefusalCode);
        Assert.Equal((Int128)2, kernel.State.Get(Tables.Balances, "a"));
        Assert.NotEqual(before, kernel.StateHash());
        Assert.Equal(["fault:System.InvalidOperationException"], kernel.State.Refusals().Select(r => r.Code));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_business_rule_refusal_is_recorded_with_a_stable_code()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        var result = kernel.Apply(chain.Next(TestManifest.MoveStock, new AmountArgs("sku", -1)));
        Assert.Equal("rule:insufficient-stock", result.RefusalCode);
        var refusal = Assert.Single(kernel.State.Refusals());
        Assert.Equal(new OpRef(chain.Author, 1), refusal.Op);
        Assert.Equal("stock.move", refusal.Verb);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void Undecodable_args_are_refused_with_args_and_nothing_already_folded_changes()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        kernel.Apply(chain.Next(TestManifest.AddTally, new AmountArgs("a", 7)));
        var before = kernel.State.Get(Tables.Balances, "a");
        var good = chain.Next(TestManifest.AddTally, new AmountArgs("a", 1));
        var garbage = new Op(good.OpId, good.Author, good.Seq, good.Prev, good.Manifest, good.Verb, good.VerbVersion, good.Branch, null, good.At, new byte[] { 0x93, 0xc1, 0xff });
        var result = kernel.Apply(garbage);
        Assert.Equal(ApplyStatus.Refused, result.Status);
        Assert.Equal("args", result.RefusalCode);
        Assert.Equal(before, kernel.State.Get(Tables.Balances, "a"));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_verb_version_its_manifest_does_not_list_is_refused()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        var good = chain.Next(TestManifest.AddTally, new AmountArgs("a", 1));
        var unknownVerb = new Op(good.OpId, good.Author, good.Seq, good.Prev, good.Manifest, "tally.add", 9, good.Branch, null, good.At, good.Args);
        Assert.Equal("verb", kernel.Apply(unknownVerb).RefusalCode);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void Refusals_are_identical_on_two_replicas_folding_in_different_legal_orders()
    {
        var a = new Chain("till-1");
        var b = new Chain("till-2");
        var opsA = new[]
        {
            a.Next(TestManifest.SharedWritesBranch, new NoteArgs("k", "x")),
            a.Next(TestManifest.MixedMerge, new AmountArgs("k", 1)),
            a.Next(TestManifest.SwallowsViolation, new NoteArgs("k", "x")),
        };
        var opsB = new[]
        {
            b.Next(TestManifest.PutNote, new NoteArgs("k", "x"), onBranch: a.Branch),
            b.Next(TestManifest.AddTally, new AmountArgs("k", 5)),
        };
        var one = TestManifest.NewKernel();
        foreach (var op in opsA.Concat(opsB)) one.Apply(op);
        var two = TestManifest.NewKernel();
        foreach (var op in new[] { opsB[0], opsA[0], opsB[1], opsA[1], opsA[2] }) two.Apply(op);

        Assert.Equal(one.State.Refusals(), two.State.Refusals());
        Assert.Equal(["scope", "merge", "scope", "owner"], one.State.Refusals().Select(r => r.Code));
        Assert.Equal(one.StateHash(), two.StateHash());
    }
}

public class ReadYourWritesTests
{
    private static readonly BranchTable<Note> NotesAgain = new("notes");
    private static readonly LwwTable<long> PricesAgain = new("prices");

    private sealed class WriteThenReadThroughAnotherHandle() : Verb<NoteArgs>("handles.rw", 1, Scope.Branch)
    {
        protected override void Execute(VerbContext ctx, NoteArgs args)
        {
            ctx.Put(Tables.Notes, args.Key, new Note(args.Text, 1));
            if (!ctx.TryGet(NotesAgain, args.Key, out var seen) || seen.Text != args.Text) ctx.Refuse("lost-own-write");
            ctx.Put(Tables.Prices, "p", 1);
            ctx.Put(PricesAgain, "p", 2);
        }
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_verb_sees_its_own_writes_through_any_handle_of_the_table_and_its_last_lww_write_wins()
    {
        var verb = new WriteThenReadThroughAnotherHandle();
        var manifest = new ManifestBuilder("handles", 1).Tables(Tables.All).Add(verb).Build();
        var kernel = new LedgerKernel(manifest);
        var author = new AuthorId("till-1");
        var op = manifest.CreateOp(verb, new NoteArgs("k", "v"), author, 1, Hash32.Zero, new BranchId(author, "main"), 1, Guid.Empty);
        Assert.Equal(ApplyStatus.Folded, kernel.Apply(op).Status);
        Assert.True(kernel.State.TryGet(Tables.Prices, "p", out var price));
        Assert.Equal(2, price);
    }
}
