using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Testing.Tests;

/// <summary>The gate must be able to fail: a verb that reads hidden mutable state (the kind of bug the
/// analyzer forbids) is caught by the replay assertions.</summary>
public class GateCatchesNondeterminismTests
{
    /// <summary>Counts calls in a static field: the same op folds differently on a second replay.</summary>
    [DeterminismWaiver("deliberately nondeterministic: proves the replay gate catches hidden static state")]
    private sealed class LeakyCounter() : Verb<AmountArgs>("leaky.add", 1, Scope.Shared)
    {
        private static long _calls;

        protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.Add(Tables.Balances, args.Key, Interlocked.Increment(ref _calls));
    }

    /// <summary>Reads a branch row in a Shared op would be refused; this one instead writes a Shared
    /// last-writer-wins value stamped by the position it folds at — order-dependent by construction.</summary>
    [DeterminismWaiver("deliberately order-dependent: proves the legal-order gate catches it")]
    private sealed class OrderSensitive() : Verb<AmountArgs>("order.sensitive", 1, Scope.Shared)
    {
        private static string _last = "";

        protected override void Execute(VerbContext ctx, AmountArgs args)
        {
            ctx.AddToSet(Tables.Tags, "after", _last);
            _last = ctx.Author.Value;
        }
    }

    private static readonly LeakyCounter Leaky = new();
    private static readonly OrderSensitive Sensitive = new();
    private static readonly Manifest Manifest = new ManifestBuilder("leaky", 1).Tables(Tables.All).Add(Leaky, Sensitive).Build();

    private static LedgerKernel NewKernel() => new(Manifest);

    [Fact]
    [Trait("Risk", "D1")]
    public void Replay_equals_live_fails_for_a_verb_with_hidden_state()
    {
        var spec = new LogSpec(Manifest, VerbCase.Of(Leaky, Gen.Constant(new AmountArgs("k", 1)))) { MinOps = 5 };
        var log = LedgerGen.Sample(spec, 1, seed: 5)[0];
        Assert.Throws<ReplayMismatchException>(() => ReplayAssert.ReplayEqualsLive(NewKernel, log));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void The_replay_assertion_runs_the_sentinel_by_default_and_names_the_verb_and_the_op()
    {
        var spec = new LogSpec(Manifest, VerbCase.Of(Leaky, Gen.Constant(new AmountArgs("k", 1)))) { MinOps = 5 };
        var log = LedgerGen.Sample(spec, 1, seed: 5)[0];
        Assert.True(ReplayAssert.CheckDeterminism);
        var e = Assert.Throws<ReplayMismatchException>(() => ReplayAssert.ReplayEqualsLive(NewKernel, log));
        var sentinel = Assert.IsType<NondeterministicVerbException>(e.InnerException);
        Assert.Equal(Leaky.Key, sentinel.Verb);
        Assert.Equal(log.Entries[0].Op.Ref, sentinel.Op);
        Assert.Contains($"verb {Leaky.Key} is not deterministic: op {sentinel.Op}", e.Message);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void Legal_order_agreement_fails_for_an_order_sensitive_verb()
    {
        var spec = new LogSpec(Manifest, VerbCase.Of(Sensitive, Gen.Constant(new AmountArgs("k", 1)))) { MinOps = 20, Authors = 4 };
        var log = LedgerGen.Sample(spec, 1, seed: 6)[0];
        Assert.Throws<ReplayMismatchException>(() => ReplayAssert.AllLegalOrdersAgree(NewKernel, log, orders: 10, seed: 1));
    }
}
