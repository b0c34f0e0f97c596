using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

/// <summary>The run-time determinism sentinel (<see cref="KernelOptions.CheckDeterminism"/>): what static analysis
/// cannot see — a clock handed in by the host, a library call — is caught when the op's verb runs twice.</summary>
public class SentinelTests
{
    /// <summary>Built with a clock the host hands in (the analyzer sees only the delegate).</summary>
    [DeterminismWaiver("deliberately nondeterministic: proves the sentinel catches an injected clock")]
    internal sealed class StampsWithInjectedClock(Func<long> clock) : Verb<AmountArgs>("stamp.clock", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.Max(Tables.Peaks, args.Key, clock());
    }

    /// <summary>Calls a library method that answers differently on every call.</summary>
    [DeterminismWaiver("deliberately nondeterministic: proves the sentinel catches a nondeterministic library call")]
    internal sealed class NamesWithLibraryCall() : Verb<AmountArgs>("name.random", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.AddToSet(Tables.Tags, args.Key, Path.GetRandomFileName());
    }

    /// <summary>Counts the ops it folded on its instance: one verb instance serves every op of a manifest.</summary>
    [DeterminismWaiver("deliberately nondeterministic: proves the sentinel catches state on the verb instance")]
    internal sealed class CountsOnInstance() : Verb<AmountArgs>("count.instance", 1, Scope.Shared)
    {
        private long _applied;

        protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.Add(Tables.Balances, args.Key, ++_applied);
    }

    /// <summary>Refuses on alternate calls (a static toggle): the outcome differs, not only the effects.</summary>
    [DeterminismWaiver("deliberately nondeterministic: proves the sentinel compares outcomes")]
    internal sealed class RefusesSometimes() : Verb<AmountArgs>("refuse.sometimes", 1, Scope.Shared)
    {
        private static int _calls;

        protected override void Execute(VerbContext ctx, AmountArgs args)
        {
            if (Interlocked.Increment(ref _calls) % 2 == 0) ctx.Refuse("even");
            ctx.Add(Tables.Balances, args.Key, 1);
        }
    }

    private static long _ticks;

    // A clock that moves between two reads, as a real one does (without the flakiness of reading a real one).
    internal static readonly StampsWithInjectedClock Clock = new(() => Interlocked.Increment(ref _ticks));
    internal static readonly NamesWithLibraryCall Library = new();
    internal static readonly CountsOnInstance Instance = new();
    internal static readonly RefusesSometimes Refuses = new();

    internal static readonly Manifest Broken = new ManifestBuilder("sentinel", 1)
        .Tables(Tables.All)
        .Add(TestManifest.AddTally, TestManifest.PutNote, Clock, Library, Instance, Refuses)
        .Build();

    private static LedgerKernel Sentinel() => new(new KernelOptions { Manifests = new ManifestCatalog(Broken), CheckDeterminism = true });

    [Fact]
    [Trait("Risk", "D1")]
    public void An_injected_clock_is_caught_at_run_time_with_the_verb_the_op_and_both_runs_named()
    {
        var kernel = Sentinel();
        var chain = new Chain("a1");
        kernel.Apply(chain.Next(TestManifest.AddTally, new AmountArgs("a", 1), manifest: Broken));
        var hash = kernel.StateHash();
        var op = chain.Next(Clock, new AmountArgs("t", 0), manifest: Broken);

        var e = Assert.Throws<NondeterministicVerbException>(() => kernel.Apply(op));
        Assert.Equal(Clock.Key, e.Verb);
        Assert.Equal(op.Ref, e.Op);
        Assert.StartsWith($"verb {Clock.Key} is not deterministic: op {op.Ref}, first effects [Offer peaks 't' ", e.Message);
        Assert.NotEqual(e.FirstEffects, e.SecondEffects);

        // Loud and sticky; nothing of the op applied or counted.
        Assert.Equal(hash, kernel.StateHash());
        Assert.Equal(1L, kernel.AcceptedOps);
        Assert.Throws<LedgerException>(() => kernel.Apply(chain.Next(TestManifest.AddTally, new AmountArgs("a", 1), manifest: Broken)));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void A_nondeterministic_library_call_is_caught_at_run_time()
    {
        var kernel = Sentinel();
        var op = new Chain("a1").Next(Library, new AmountArgs("names", 0), manifest: Broken);
        var e = Assert.Throws<NondeterministicVerbException>(() => kernel.Apply(op));
        Assert.Contains("SetAdd tags 'names'", e.FirstEffects);
        Assert.Empty(kernel.Authors);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void State_on_the_verb_instance_and_an_outcome_that_differs_are_caught_at_run_time()
    {
        var counting = Sentinel();
        var chain = new Chain("a1");
        var e = Record.Exception(() =>
        {
            for (var i = 0; i < 3; i++) counting.Apply(chain.Next(Instance, new AmountArgs("n", 0), manifest: Broken));
        });
        Assert.Equal(Instance.Key, Assert.IsType<NondeterministicVerbException>(e).Verb);

        var refusing = Sentinel();
        var f = Assert.Throws<NondeterministicVerbException>(() => refusing.Apply(new Chain("b").Next(Refuses, new AmountArgs("r", 0), manifest: Broken)));
        Assert.Contains("(refused rule:even)", f.FirstEffects + f.SecondEffects);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void With_the_sentinel_on_deterministic_verbs_fold_to_the_hash_they_fold_to_without_it()
    {
        var log = Ledger.Testing.LedgerGen.Sample(TestManifest.Spec(), 20, seed: 21);
        foreach (var generated in log)
        {
            var plain = TestManifest.NewKernel();
            var checkedKernel = new LedgerKernel(new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1), CheckDeterminism = true });
            foreach (var kernel in new[] { plain, checkedKernel })
            {
                foreach (var entry in generated.Entries) kernel.Apply(entry);
                kernel.AdvanceRelayFrontier(long.MaxValue);
            }

            Assert.Equal(plain.StateHash(), checkedKernel.StateHash());
        }
    }
}
