// ShopDeterminismTests.cs — a test project referencing Ledger.Kernel, Ledger.Testing, xunit,
// xunit.runner.visualstudio and Microsoft.NET.Test.Sdk. Ledger.Kernel brings MessagePack and the analyzer.
using System.Globalization;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.Testing;
using MessagePack;
using Xunit;

namespace ShopApp.Tests;

// The app's own domain: in a real app it lives in the app's project, and the tests reference it.
[MessagePackObject]
public sealed record SaleArgs([property: Key(0)] string Account, [property: Key(1)] long Cents);

[MessagePackObject]
public sealed record StockArgs([property: Key(0)] string Sku, [property: Key(1)] int Quantity);

public sealed class PostSale() : Verb<SaleArgs>("sale.post", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, SaleArgs args) => ctx.Add(Shop.Revenue, args.Account, args.Cents);
}

public sealed class MoveStock() : Verb<StockArgs>("stock.move", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, StockArgs args) =>
        ctx.Put(Shop.Stock, args.Sku, ctx.GetOrDefault(Shop.Stock, args.Sku, 0L) + args.Quantity);
}

public static class Shop
{
    public static readonly CounterTable Revenue = new("revenue");
    public static readonly BranchTable<long> Stock = new("stock");
    public static readonly PostSale PostSale = new();
    public static readonly MoveStock MoveStock = new();
    public static readonly Manifest V1 = new ManifestBuilder("shop", 1).Tables(Revenue, Stock).Add(PostSale, MoveStock).Build();

    // A static method, not a lambda: the cross-process check finds it by name in a child process.
    public static LedgerKernel NewKernel() => new(new KernelOptions { Manifests = new ManifestCatalog(V1) });
}

public class ShopDeterminismTests
{
    // 1. Describe the logs: your manifest, and a generator of arguments per verb
    //    (a Gen of your own, or none: VerbCase.Of(verb) builds them from the args type).
    private static readonly LogSpec Spec = new(Shop.V1,
        VerbCase.Of(Shop.PostSale, Gen.Choose(1, 500).Select(c => new SaleArgs("cash", c)), weight: 3),
        VerbCase.Of(Shop.MoveStock))
    {
        Authors = 3, // three devices, each with its own branch
        MaxOps = 80,
    };

    // Case counts: 100 on pull requests, LEDGER_CASES=10000 in a nightly job.
    private static int Cases(int pullRequest) =>
        int.Parse(Environment.GetEnvironmentVariable("LEDGER_CASES") ?? pullRequest.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    // 2. Replay equals live, and every legal reordering reaches one state hash. A failure prints
    //    LEDGER_SEED=<seed>: set it to run exactly that case again.
    [Fact]
    public void Our_verbs_are_deterministic_under_every_legal_order() =>
        ReplayAssert.Check(Shop.NewKernel, Spec, cases: Cases(100));

    // 3. The same logs fold to the same hash in other processes (culture, time zone, string-hash seed).
    [Fact]
    public void Our_verbs_fold_alike_in_other_processes() =>
        ReplayAssert.CheckAcrossProcesses(Shop.NewKernel, Spec, cases: Cases(20) / 5);
}
