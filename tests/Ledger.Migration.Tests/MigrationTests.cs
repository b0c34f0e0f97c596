using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.Migration;
using Ledger.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Migration.Tests;

public class MigrationTests
{
    private static Hash32 Fold(ManifestHistory history, IEnumerable<SequencedOp> log)
    {
        var kernel = new LedgerKernel(new KernelOptions { Manifests = history });
        foreach (var e in log) kernel.Apply(e);
        kernel.AdvanceRelayFrontier(long.MaxValue);
        return kernel.StateHash();
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void Old_manifest_ops_fold_to_their_original_effect_under_a_new_kernel()
    {
        var v1Only = Golden.PathOf("fixture-v1.bin");
        var fixture = FixtureLog.Decode(File.ReadAllBytes(v1Only)).Where(e => e.Op.Manifest == Shop.V1.Id).ToList();
        Assert.NotEmpty(fixture);
        var underV1 = Fold(Shop.History(withV2: false), fixture);
        var underV2Software = Fold(Shop.History(), fixture);
        Assert.Equal(underV1, underV2Software);
        Assert.Equal(File.ReadAllText(Golden.PathOf("v1-replay-hash.txt")).Trim(), underV2Software.ToString());
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void Replicas_running_v1_and_v2_software_converge_after_adoption_under_random_legal_orders()
    {
        var arb = Arb.From(Gen.Choose(1, int.MaxValue).Two());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(arb, seeds =>
        {
            var log = MixedLogs.Generate(seeds.Item1);
            var expected = Fold(Shop.History(), log);
            // Replicas with v2 software, any legal order.
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(expected, Fold(Shop.History(), LedgerGen.LegalOrder(log, seeds.Item2 + i)));
            }

            // A replica still on v1 software parks the v2 ops, then updates and catches up.
            var history = Shop.History(withV2: false);
            var old = new LedgerKernel(new KernelOptions { Manifests = history });
            foreach (var e in LedgerGen.LegalOrder(log, seeds.Item2)) old.Apply(e);
            old.AdvanceRelayFrontier(long.MaxValue);
            var adopted = log.Any(e => e.Op.Manifest == Shop.V2.Id);
            Assert.Equal(adopted, !old.Parked.IsEmpty);
            history.Add(Shop.V2);
            old.Resume();
            Assert.True(old.Parked.IsEmpty);
            Assert.Equal(expected, old.StateHash());
        }));
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void A_replica_without_v2_parks_v2_ops_loudly_with_its_state_unchanged_outside_the_parked_frontier()
    {
        var log = MixedLogs.Generate(seed: 7);
        Assert.Contains(log, e => e.Op.Manifest == Shop.V2.Id);
        var history = Shop.History(withV2: false);
        var old = new LedgerKernel(new KernelOptions { Manifests = history });
        foreach (var e in log) old.Apply(e);
        var parked = old.Parked;
        Assert.Equal([Shop.V2.Id], parked.MissingManifests);
        Assert.Contains($"update needed: manifest {Shop.V2.Id}", parked.ToString());

        // Outside the parked frontier the state is exactly that of the log without the parked ops.
        var parkedRefs = parked.Ops.Select(p => p.Op).ToHashSet();
        var withoutParked = log.Where(e => !parkedRefs.Contains(e.Op.Ref)).ToList();
        var reference = new LedgerKernel(new KernelOptions { Manifests = Shop.History() });
        foreach (var e in withoutParked) reference.Apply(e);
        Assert.Equal(reference.StateHash(), old.StateHash());

        history.Add(Shop.V2);
        old.Resume();
        Assert.Equal(Fold(Shop.History(), log), old.StateHash());
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void Adoption_reshapes_only_the_adopting_branch_and_is_recorded_for_checkpoints()
    {
        var log = MixedLogs.Generate(seed: 11);
        var kernel = new LedgerKernel(new KernelOptions { Manifests = Shop.History() });
        foreach (var e in log) kernel.Apply(e);
        var adopted = Adoptions.Read(kernel.State);
        var adopters = log.Where(e => e.Op.Verb == Shop.Adopt.Name).Select(e => e.Op.Branch).ToHashSet();
        Assert.Equal(adopters.Order(), adopted.Select(a => a.Branch).Order());
        Assert.All(adopted, a => Assert.Equal(Shop.V2.Id, a.Manifest));
        foreach (var branch in adopters)
        {
            Assert.Empty(kernel.State.Rows(Shop.Stock, branch));
        }

        var stayer = log.Select(e => e.Op.Branch).Distinct().Single(b => b.Owner.Value == "till-3");
        Assert.DoesNotContain(stayer, adopters);
        var checkpoint = kernel.CreateCheckpoint(new CheckpointExtras { Adopted = adopted });
        var restored = LedgerKernel.Restore(CheckpointCodec.Encode(checkpoint), new KernelOptions { Manifests = Shop.History() });
        Assert.Equal(kernel.StateHash(), restored.StateHash());
        Assert.Equal(adopted.Count, CheckpointCodec.Decode(CheckpointCodec.Encode(checkpoint)).Adopted.Count);
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void A_manifest_that_changes_a_shared_tables_merge_kind_is_rejected_with_a_clear_message()
    {
        var accountsAsMax = new MaxTable("accounts");
        var bad = new ManifestBuilder("shop", 3).Tables(Shop.Invoices, accountsAsMax).Add(Shop.SetPriceV1).Build();
        var history = Shop.History();
        var e = Assert.Throws<ManifestRejectedException>(() => history.Add(bad));
        Assert.Contains("'accounts'", e.Message);
        Assert.Contains("Shared table's merge kind and encoding are frozen forever", e.Message);
        Assert.Contains("Add a new table instead", e.Message);
    }

    [Fact]
    [Trait("Risk", "D2")]
    public void A_manifest_that_redefines_a_shipped_verb_version_is_rejected()
    {
        var bad = new ManifestBuilder("shop", 3).Tables(Shop.Invoices, Shop.Accounts).Add(new RedefinedSale()).Build();
        var e = Assert.Throws<ManifestRejectedException>(() => Shop.History().Add(bad));
        Assert.Contains("sale.post@1", e.Message);
        Assert.Contains("ship the change as sale.post@2", e.Message);
    }

    [Fact]
    [Trait("Risk", "G3")]
    public void Nodes_advertise_what_they_fold_and_an_older_node_learns_it_must_update()
    {
        var old = Shop.History(withV2: false).Advertise();
        var current = Shop.History().Advertise();
        Assert.Equal((1u, 1u), (old.MinVersion, old.MaxVersion));
        Assert.Equal((1u, 2u), (current.MinVersion, current.MaxVersion));
        Assert.True(old.NeedsUpdateFor(current));
        Assert.False(current.NeedsUpdateFor(old));
        Assert.False(old.CanFold(Shop.V2.Id));
    }

    [Fact]
    public void AddLedgerMigration_makes_the_history_the_kernels_resolver()
    {
        var services = new ServiceCollection()
            .AddLedgerKernel()
            .AddLedgerMigration(o => o.Ship(Shop.V1).Ship(Shop.V2))
            .BuildServiceProvider();
        var kernel = services.GetRequiredService<LedgerKernel>();
        Assert.IsType<ManifestHistory>(kernel.Options.Manifests);
        Assert.Equal(2u, services.GetRequiredService<ManifestAdvertisement>().MaxVersion);
    }

    private sealed class RedefinedSale() : Verb<StockArgs>("sale.post", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext ctx, StockArgs args) => ctx.Add(Shop.Accounts, "x", 1);
    }
}
