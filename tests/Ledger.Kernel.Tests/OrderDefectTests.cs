using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

/// <summary>Witnesses of three order defects found from outside (issue 21): a fork below the tip, parking × claims,
/// and a faulted op that was counted.</summary>
public class OrderDefectTests
{
    /// <summary>Runs out of memory for the amount 13 (a fault a replica cannot turn into a refusal).</summary>
    internal sealed class RunsOutOfMemory() : Verb<AmountArgs>("tally.oom", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext ctx, AmountArgs args)
        {
            if (args.Amount == 13) throw new OutOfMemoryException("planted");
            ctx.Add(Tables.Balances, args.Key, args.Amount);
        }
    }

    /// <summary>A Claim verb that runs out of memory.</summary>
    internal sealed class ClaimRunsOutOfMemory() : Verb<UnitsArgs>("pool.oom", 1, Scope.Claim)
    {
        protected override void Execute(VerbContext ctx, UnitsArgs args) => throw new OutOfMemoryException("planted");
    }

    internal static readonly RunsOutOfMemory Oom = new();
    internal static readonly ClaimRunsOutOfMemory ClaimOom = new();

    internal static readonly Manifest Faults = new ManifestBuilder("testdomain-faults", 1)
        .Tables(Tables.All)
        .Add(TestManifest.AddTally, TestManifest.TakeUnit, TestManifest.StockPool, Oom, ClaimOom)
        .Build();

    private static Op Reforged(Op op, long at) =>
        new(op.OpId, op.Author, op.Seq, op.Prev, op.Manifest, op.Verb, op.VerbVersion, op.Branch, op.ClaimKey, at, op.Args);

    [Fact]
    [Trait("Risk", "D1")]
    public void Another_op_at_a_held_seq_below_the_tip_is_a_fork_and_the_same_op_is_a_duplicate()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("a1");
        var ops = Enumerable.Range(0, 3).Select(_ => chain.Next(TestManifest.AddTally, new AmountArgs("a", 1))).ToArray();
        foreach (var op in ops) kernel.Apply(op);
        var hash = kernel.StateHash();

        foreach (var held in ops[..2])
        {
            var other = Reforged(held, held.At + 1);
            Assert.NotEqual(held.ChainHash, other.ChainHash);
            var e = Assert.Throws<LedgerOrderException>(() => kernel.Apply(other));
            Assert.Equal(OrderViolation.Fork, e.Violation);
            Assert.Contains(held.ChainHash.ToShortString(), e.Message);
            Assert.Equal(ApplyStatus.Duplicate, kernel.Apply(held).Status);
        }

        Assert.Equal(hash, kernel.StateHash());
        Assert.Equal(3L, kernel.AcceptedOps);
    }

    [Fact]
    [Trait("Risk", "D3")]
    public void A_pending_claim_on_a_parked_claim_key_is_held_back_and_reported_parked_and_the_state_is_the_log_without_the_parked_ops()
    {
        var a1 = new Chain("a1");
        var a2 = new Chain("a2");
        var a3 = new Chain("a3");
        var claimA2 = a2.Next(TestManifest.StockPool, new UnitsArgs(3, "r"), "unit:0");
        var unknown = a1.Next(ParkingTests.DoubleTallyVerb, new AmountArgs("a", 5), manifest: ParkingTests.V2);
        var claimA1 = a1.Next(TestManifest.TakeUnit, new UnitsArgs(1, "r"), "unit:0");
        var other = a3.Next(TestManifest.AddTally, new AmountArgs("b", 7));

        var catalog = new ManifestCatalog(TestManifest.V1);
        var late = new LedgerKernel(new KernelOptions { Manifests = catalog });
        Assert.Equal(ApplyStatus.Pending, late.Apply(claimA2, 1).Status);
        Assert.Equal(ApplyStatus.Parked, late.Apply(unknown, 0).Status);
        Assert.Equal(ApplyStatus.Parked, late.Apply(claimA1, 5).Status);
        late.Apply(other);
        late.AdvanceRelayFrontier(10);

        // The parking holds back a2's claim, and says so.
        Assert.Empty(late.PendingClaims);
        var parked = late.Parked.Ops.ToDictionary(o => o.Op, o => o.Reason);
        Assert.Equal(ParkReason.ClaimKeyParked, parked[claimA2.Ref]);
        Assert.Equal([unknown.Ref, claimA1.Ref, claimA2.Ref], late.Parked.Ops.Select(o => o.Op).Order());
        Assert.Contains("unit:0", late.Parked.ClaimKeys);

        // Outside the parked frontier the state is that of the log without the parked ops.
        var without = TestManifest.NewKernel();
        without.Apply(other);
        without.AdvanceRelayFrontier(10);
        Assert.Equal(without.StateHash(), late.StateHash());

        // After the update: the hash of a replica that always knew v2.
        var knew = new LedgerKernel(new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1, ParkingTests.V2) });
        knew.Apply(claimA2, 1);
        knew.Apply(unknown, 0);
        knew.Apply(claimA1, 5);
        knew.Apply(other);
        knew.AdvanceRelayFrontier(10);
        catalog.Add(ParkingTests.V2);
        late.Resume();
        Assert.True(late.Parked.IsEmpty);
        Assert.Empty(late.PendingClaims);
        Assert.Equal(knew.StateHash(), late.StateHash());
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void An_op_that_faults_with_out_of_memory_changes_nothing_counters_and_tips_included()
    {
        var kernel = new LedgerKernel(Faults);
        var chain = new Chain("a1");
        kernel.Apply(chain.Next(TestManifest.AddTally, new AmountArgs("a", 1), manifest: Faults));
        var hash = kernel.StateHash();
        var accepted = kernel.AcceptedOps;
        var tip = kernel.Authors[chain.Author];

        var faulting = chain.Next(Oom, new AmountArgs("a", 13), manifest: Faults);
        var e = Assert.Throws<LedgerException>(() => kernel.Apply(faulting));
        Assert.IsType<OutOfMemoryException>(e.InnerException);

        Assert.Equal(accepted, kernel.AcceptedOps);
        Assert.Equal(tip, kernel.Authors[chain.Author]);
        Assert.Equal(hash, kernel.StateHash());
        Assert.Throws<LedgerException>(() => kernel.Apply(faulting));
    }

    [Fact]
    [Trait("Risk", "D3")]
    public void A_claim_that_faults_when_released_stays_pending_and_a_new_author_that_faults_is_not_recorded()
    {
        var released = new LedgerKernel(Faults);
        var a = new Chain("a");
        var claim = a.Next(ClaimOom, new UnitsArgs(1, "r"), "unit:0", manifest: Faults);
        Assert.Equal(ApplyStatus.Pending, released.Apply(claim, 0).Status);
        Assert.Throws<LedgerException>(() => released.AdvanceRelayFrontier(1));
        Assert.Equal([claim.Ref], released.PendingClaims.Select(p => p.Op.Ref));
        Assert.Equal(1L, released.AcceptedOps);

        var direct = new LedgerKernel(Faults);
        direct.AdvanceRelayFrontier(10);
        var b = new Chain("b");
        Assert.Throws<LedgerException>(() => direct.Apply(b.Next(ClaimOom, new UnitsArgs(1, "r"), "unit:0", manifest: Faults), 0));
        Assert.Empty(direct.Authors);
        Assert.Empty(direct.PendingClaims);
        Assert.Equal(0L, direct.AcceptedOps);
    }
}
