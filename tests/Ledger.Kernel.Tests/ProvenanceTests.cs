using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

public class ProvenanceTests
{
    [Fact]
    [Trait("Risk", "H")]
    public void Tapping_a_figure_lists_exactly_the_ops_that_sum_to_it_and_provenance_stays_outside_the_hash()
    {
        var a = new Chain("till-1");
        var b = new Chain("till-2");
        var ops = new[]
        {
            a.Next(TestManifest.AddTally, new AmountArgs("cash", 5)),
            b.Next(TestManifest.AddTally, new AmountArgs("cash", 7)),
            a.Next(TestManifest.AddTally, new AmountArgs("other", 1)),
            b.Next(TestManifest.PostSale, new SaleArgs("i", "cash", 30)),
        };
        var tracked = TestManifest.NewKernel();
        var untracked = new LedgerKernel(new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1), TrackProvenance = false });
        foreach (var op in ops)
        {
            tracked.Apply(op);
            untracked.Apply(op);
        }

        var cash = tracked.Provenance!.For(new SegmentId("balances", ""), "cash");
        Assert.Equal([ops[0].Ref, ops[1].Ref, ops[3].Ref], cash);
        Assert.Equal((Int128)42, tracked.State.Get(Tables.Balances, "cash"));
        Assert.Contains((new SegmentId("invoices", b.Branch.ToString()), "till-2.2.0"), tracked.Provenance.RowsOf(ops[3].Ref));
        Assert.Null(untracked.Provenance);
        Assert.Equal(tracked.StateHash(), untracked.StateHash());
    }
}
