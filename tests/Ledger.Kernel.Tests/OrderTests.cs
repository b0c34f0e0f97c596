using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

public class OrderTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public void A_gap_in_an_authors_chain_is_rejected_and_nothing_changes()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        kernel.Apply(chain.Next(TestManifest.AddTally, new AmountArgs("a", 1)));
        chain.Next(TestManifest.AddTally, new AmountArgs("a", 1));
        var third = chain.Next(TestManifest.AddTally, new AmountArgs("a", 1));
        var before = kernel.StateHash();
        var e = Assert.Throws<LedgerOrderException>(() => kernel.Apply(third));
        Assert.Equal(OrderViolation.Gap, e.Violation);
        Assert.Contains("send from seq 2", e.Message);
        Assert.Equal(before, kernel.StateHash());
        Assert.Equal(1UL, kernel.Authors[chain.Author].Seq);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_prev_that_does_not_name_the_previous_op_is_rejected()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        kernel.Apply(chain.Next(TestManifest.AddTally, new AmountArgs("a", 1)));
        var good = chain.Next(TestManifest.AddTally, new AmountArgs("a", 1));
        var forged = new Op(good.OpId, good.Author, good.Seq, Hash32.Sha256("not the tip"u8), good.Manifest, good.Verb, good.VerbVersion, good.Branch, null, good.At, good.Args);
        Assert.Equal(OrderViolation.PrevMismatch, Assert.Throws<LedgerOrderException>(() => kernel.Apply(forged)).Violation);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_second_op_with_the_same_author_and_seq_is_a_fork_and_a_resend_is_a_duplicate()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        var first = chain.Next(TestManifest.AddTally, new AmountArgs("a", 1));
        kernel.Apply(first);
        Assert.Equal(ApplyStatus.Duplicate, kernel.Apply(first).Status);
        var twin = new Op(first.OpId, first.Author, 1, Hash32.Zero, first.Manifest, first.Verb, first.VerbVersion, first.Branch, null, first.At + 1, first.Args);
        Assert.Equal(OrderViolation.Fork, Assert.Throws<LedgerOrderException>(() => kernel.Apply(twin)).Violation);
        Assert.Equal((Int128)1, kernel.State.Get(Tables.Balances, "a"));
    }
}
