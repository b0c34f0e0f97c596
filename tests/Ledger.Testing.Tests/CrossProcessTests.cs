using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.TestDomain;
using Xunit.Abstractions;

namespace Ledger.Testing.Tests;

/// <summary>What one process cannot see: folds in child processes (another string-hash seed, culture, time zone and
/// globalization mode) must reach the same state hash.</summary>
public class CrossProcessTests(ITestOutputHelper output)
{
    /// <summary>Buckets keys by their string hash code: the same in every fold of one process, different in the next.</summary>
    [DeterminismWaiver("deliberately per-process: proves the cross-process check catches a string hash code")]
    private sealed class HashBucket() : Verb<AmountArgs>("hash.bucket", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext ctx, AmountArgs args) =>
            ctx.Add(Tables.Balances, "bucket-" + (args.Key.GetHashCode(StringComparison.Ordinal) & 15).ToString(System.Globalization.CultureInfo.InvariantCulture), args.Amount);
    }

    /// <summary>Formats a number with the current culture: "1.5" here, "1,5" under tr-TR.</summary>
    [DeterminismWaiver("deliberately culture-dependent: proves the cross-process check catches the current culture")]
    private sealed class CultureTag() : Verb<AmountArgs>("culture.tag", 1, Scope.Shared)
    {
#pragma warning disable CA1305 // the point of this verb is to use the current culture
        protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.AddToSet(Tables.Tags, args.Key, (args.Amount + 0.5m).ToString());
#pragma warning restore CA1305
    }

    private static readonly HashBucket Bucket = new();
    private static readonly CultureTag Tag = new();
    private static readonly Manifest Manifest = new ManifestBuilder("per-process", 1).Tables(Tables.All).Add(Bucket, Tag).Build();

    private static LedgerKernel NewKernel() => new(Manifest);

    private static readonly Gen<AmountArgs> Args = Gen.Elements("alpha", "beta", "gamma", "delta", "epsilon", "zeta").Select(k => new AmountArgs(k, 1));

    [Fact]
    [Trait("Risk", "D1")]
    public void A_string_hash_code_passes_every_in_process_check_and_is_caught_across_processes_naming_row_and_verb()
    {
        var spec = new LogSpec(Manifest, VerbCase.Of(Bucket, Args)) { MinOps = 10, Authors = 2 };

        // In one process the bug is invisible: replay equals live, every legal order agrees, the sentinel sees nothing.
        ReplayAssert.Check(NewKernel, spec, cases: 5, seed: 11);

        var e = Assert.Throws<ReplayMismatchException>(() => ReplayAssert.CheckAcrossProcesses(NewKernel, spec, cases: 3, seed: 11));
        output.WriteLine(e.Message);
        Assert.Contains("one log, two processes, two results", e.Message);
        Assert.Contains("balances/", e.Message);
        Assert.Contains("\"bucket-", e.Message);
        Assert.Contains("hash.bucket@1", e.Message);
        Assert.Matches(@"Replay exactly this case: LEDGER_SEED=\d+\.", e.Message);
    }

    [Fact]
    [Trait("Risk", "C1")]
    [Trait("Risk", "D1")]
    public void A_verb_formatting_with_the_current_culture_is_caught_in_the_turkish_child()
    {
        var spec = new LogSpec(Manifest, VerbCase.Of(Tag, Args)) { MinOps = 3, Authors = 1 };
        var e = Assert.Throws<ReplayMismatchException>(() => ReplayAssert.CheckAcrossProcesses(NewKernel, spec, cases: 2, seed: 3));
        output.WriteLine(e.Message);
        Assert.Contains("culture=tr-TR", e.Message);
        Assert.Contains("culture.tag@1", e.Message);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void Deterministic_verbs_agree_in_every_child_process()
    {
        var spec = new LogSpec(TestManifest.V1,
            VerbCase.Of(TestManifest.PostSale, Gen.Choose(1, 500).Select(c => new SaleArgs("inv", "cash", c)), weight: 3),
            VerbCase.Of(TestManifest.MoveStock, Gen.Choose(-5, 5).Select(q => new AmountArgs("sku-1", q))),
            VerbCase.Of(TestManifest.TakeUnit, Gen.Constant(new UnitsArgs(1, "order"))),
            VerbCase.Of(TestManifest.StockPool, Gen.Constant(new UnitsArgs(1, "restock"))))
        { Authors = 3, MaxOps = 60 };
        ReplayAssert.CheckAcrossProcesses(TestManifest.NewKernel, spec, cases: 10, seed: 7);
    }

    [Fact]
    public void A_lambda_is_refused_with_what_to_pass_instead()
    {
        var spec = new LogSpec(Manifest, VerbCase.Of(Bucket, Args));
        var e = Assert.Throws<ArgumentException>(() => ReplayAssert.CheckAcrossProcesses(() => new LedgerKernel(Manifest), spec));
        Assert.Contains("static method group", e.Message);
    }
}
