using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

public class ParkingTests
{
    /// <summary>A second manifest (v2) the old replica does not know: same tables, one new verb.</summary>
    internal sealed class DoubleTally() : Verb<AmountArgs>("tally.double", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.Add(Tables.Balances, args.Key, 2 * args.Amount);
    }

    internal static readonly DoubleTally DoubleTallyVerb = new();

    internal static readonly Manifest V2 = new ManifestBuilder("testdomain", 2)
        .Tables(Tables.All)
        .Add(TestManifest.PutNote, TestManifest.AddTally, TestManifest.TakeUnit, TestManifest.StockPool, DoubleTallyVerb)
        .Build();

    [Fact]
    [Trait("Risk", "D2")]
    public void An_op_of_an_unknown_manifest_parks_its_author_and_branch_loudly_and_others_keep_folding()
    {
        var catalog = new ManifestCatalog(TestManifest.V1);
        var replica = new LedgerKernel(new KernelOptions { Manifests = catalog });
        var upgraded = new Chain("till-new");
        var old = new Chain("till-old");

        var v2Op = upgraded.Next(DoubleTallyVerb, new AmountArgs("a", 5), manifest: V2);
        var after = upgraded.Next(TestManifest.PutNote, new NoteArgs("n", "later"));
        Assert.Equal(ApplyStatus.Parked, replica.Apply(v2Op).Status);
        Assert.Equal(ApplyStatus.Parked, replica.Apply(after).Status);
        Assert.Equal(ApplyStatus.Folded, replica.Apply(old.Next(TestManifest.AddTally, new AmountArgs("a", 1))).Status);

        var parked = replica.Parked;
        Assert.Equal([V2.Id], parked.MissingManifests);
        Assert.Equal(1UL, parked.Authors[upgraded.Author]);
        Assert.Contains(upgraded.Branch, parked.Branches);
        Assert.Contains($"update needed: manifest {V2.Id}", parked.ToString());
        Assert.Equal((Int128)1, replica.State.Get(Tables.Balances, "a"));
        Assert.False(replica.State.TryGet(Tables.Notes, upgraded.Branch, "n", out _));
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void After_the_manifest_is_supplied_the_replica_reaches_the_hash_of_one_that_always_knew_it()
    {
        var upgraded = new Chain("till-new");
        var old = new Chain("till-old");
        var ops = new[]
        {
            upgraded.Next(DoubleTallyVerb, new AmountArgs("a", 5), manifest: V2),
            old.Next(TestManifest.AddTally, new AmountArgs("a", 1)),
            upgraded.Next(TestManifest.PutNote, new NoteArgs("n", "later")),
            old.Next(TestManifest.PutNote, new NoteArgs("n", "old")),
            upgraded.Next(TestManifest.TakeUnit, new UnitsArgs(1, "r"), "sku:1", manifest: V2),
            old.Next(TestManifest.StockPool, new UnitsArgs(2, "r"), "sku:1"),
        };

        var knew = new LedgerKernel(new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1, V2) });
        knew.AdvanceRelayFrontier(long.MaxValue);
        for (var i = 0; i < ops.Length; i++) knew.Apply(ops[i], i);

        var catalog = new ManifestCatalog(TestManifest.V1);
        var late = new LedgerKernel(new KernelOptions { Manifests = catalog });
        late.AdvanceRelayFrontier(long.MaxValue);
        for (var i = 0; i < ops.Length; i++) late.Apply(ops[i], i);
        Assert.False(late.Parked.IsEmpty);
        Assert.Contains("sku:1", late.Parked.ClaimKeys);
        // The claim on sku:1 that came after the parked one waits for it.
        Assert.False(late.State.TryGet(Tables.Pools, "sku:1", out _));
        Assert.NotEqual(knew.StateHash(), late.StateHash());

        catalog.Add(V2);
        late.Resume();
        Assert.True(late.Parked.IsEmpty);
        Assert.Equal(knew.StateHash(), late.StateHash());
    }
}

public class ParkingAbuseTests
{
    [Fact]
    [Trait("Risk", "D2")]
    public void An_op_of_an_unknown_manifest_naming_someone_elses_branch_does_not_stop_that_branch()
    {
        var kernel = TestManifest.NewKernel();
        var victim = new Chain("victim");
        var mallory = new Chain("mallory");
        kernel.Apply(victim.Next(TestManifest.PutNote, new NoteArgs("a", "1")));
        var poison = mallory.Next(TestManifest.PutNote, new NoteArgs("x", "x"), onBranch: victim.Branch, manifest: ParkingTests.V2);
        Assert.Equal(ApplyStatus.Parked, kernel.Apply(poison).Status);
        Assert.DoesNotContain(victim.Branch, kernel.Parked.Branches);
        Assert.Equal(ApplyStatus.Folded, kernel.Apply(victim.Next(TestManifest.PutNote, new NoteArgs("b", "2"))).Status);
        Assert.True(kernel.State.TryGet(Tables.Notes, victim.Branch, "b", out _));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void Two_parked_and_live_claims_cannot_share_a_relay_position_and_resume_loses_nothing()
    {
        var catalog = new ManifestCatalog(TestManifest.V1);
        var kernel = new LedgerKernel(new KernelOptions { Manifests = catalog });
        var a = new Chain("a");
        var b = new Chain("b");
        kernel.Apply(a.Next(ParkingTests.DoubleTallyVerb, new AmountArgs("k", 1), manifest: ParkingTests.V2));
        var parkedClaim = a.Next(TestManifest.TakeUnit, new UnitsArgs(1, "r"), "pool:1");
        Assert.Equal(ApplyStatus.Parked, kernel.Apply(parkedClaim, 5).Status);
        var live = b.Next(TestManifest.TakeUnit, new UnitsArgs(1, "r"), "pool:2");
        Assert.Equal(OrderViolation.Position, Assert.Throws<LedgerOrderException>(() => kernel.Apply(live, 5)).Violation);
        catalog.Add(ParkingTests.V2);
        kernel.Resume();
        kernel.AdvanceRelayFrontier(long.MaxValue);
        Assert.True(kernel.Parked.IsEmpty);
        Assert.Empty(kernel.PendingClaims);
    }
}
