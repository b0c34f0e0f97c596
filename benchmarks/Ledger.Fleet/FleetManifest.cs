using Ledger.Kernel;
using MessagePack;

namespace Ledger.Fleet;

/// <summary>The tills' one verb: a sale posted to the till's running total and a shared account.</summary>
public static class FleetManifest
{
    public static readonly BranchTable<long> TillTotals = new("till-totals");
    public static readonly CounterTable Accounts = new("accounts");
    public static readonly Sale SaleVerb = new();
    public static readonly Manifest Manifest = new ManifestBuilder("fleet", 1).Tables(TillTotals, Accounts).Add(SaleVerb).Build();
}

[MessagePackObject]
public sealed record SaleArgs([property: Key(0)] string Account, [property: Key(1)] long Cents);

/// <summary>Posts cents to the till's total (branch row) and a shared account (counter).</summary>
public sealed class Sale() : Verb<SaleArgs>("sale", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, SaleArgs args)
    {
        ctx.Put(FleetManifest.TillTotals, "total", ctx.GetOrDefault(FleetManifest.TillTotals, "total", 0L) + args.Cents);
        ctx.Add(FleetManifest.Accounts, args.Account, args.Cents);
    }
}
