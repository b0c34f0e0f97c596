using Ledger.Kernel;
using Ledger.Migration;
using MessagePack;

namespace Ledger.Migration.Tests;

[MessagePackObject]
public sealed record SaleArgs([property: Key(0)] string Invoice, [property: Key(1)] long Cents);

[MessagePackObject]
public sealed record StockArgs([property: Key(0)] string Sku, [property: Key(1)] long Quantity);

[MessagePackObject]
public sealed record PriceArgs([property: Key(0)] string Sku, [property: Key(1)] long Cents);

/// <summary>v2's stock row: v1 kept a bare quantity.</summary>
[MessagePackObject]
public sealed record StockRow([property: Key(0)] long OnHand, [property: Key(1)] long Reserved);

/// <summary>A small shop that ships a v1 and a v2 with a changed tax rule and a reshaped stock table.</summary>
public static class Shop
{
    public static readonly BranchTable<long> Invoices = new("invoices");
    public static readonly BranchTable<long> Stock = new("stock");
    public static readonly BranchTable<StockRow> StockV2 = new("stock-v2");
    public static readonly CounterTable Accounts = new("accounts");
    public static readonly LwwTable<long> Prices = new("prices");

    public static readonly PostSale PostSaleV1 = new(taxPercent: 0);
    public static readonly PostSaleWithTax PostSaleV2 = new();
    public static readonly SetStock SetStockV1 = new();
    public static readonly SetStockV2 SetStockV2Verb = new();
    public static readonly SetPrice SetPriceV1 = new();
    public static readonly AdoptV2 Adopt = new();

    public static readonly Manifest V1 = new ManifestBuilder("shop", 1)
        .Tables(Invoices, Stock, Accounts, Prices)
        .Add(PostSaleV1, SetStockV1, SetPriceV1)
        .Build();

    public static readonly Manifest V2 = new ManifestBuilder("shop", 2)
        .Tables(Invoices, Stock, StockV2, Accounts, Prices, Adoptions.Table)
        .Add(PostSaleV2, SetStockV2Verb, SetPriceV1, Adopt)
        .Build();

    public static ManifestHistory History(bool withV2 = true) => withV2 ? new ManifestHistory(V1, V2) : new ManifestHistory(V1);
}

/// <summary>sale.post@1. The constructor parameter exists only so a test can "change a shipped verb" the way
/// a code edit would: same type, same declaration, other behaviour.</summary>
public sealed class PostSale(int taxPercent) : Verb<SaleArgs>("sale.post", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, SaleArgs args)
    {
        if (args.Cents <= 0) ctx.Refuse("non-positive");
        ctx.Put(Shop.Invoices, args.Invoice, args.Cents);
        var tax = args.Cents * taxPercent / 100;
        ctx.Add(Shop.Accounts, "revenue", args.Cents - tax);
        if (tax != 0) ctx.Add(Shop.Accounts, "tax-payable", tax);
    }
}

/// <summary>sale.post@2: prices now include 20 % tax, booked separately.</summary>
public sealed class PostSaleWithTax() : Verb<SaleArgs>("sale.post", 2, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, SaleArgs args)
    {
        if (args.Cents <= 0) ctx.Refuse("non-positive");
        ctx.Put(Shop.Invoices, args.Invoice, args.Cents);
        var tax = args.Cents / 6;
        ctx.Add(Shop.Accounts, "revenue", args.Cents - tax);
        ctx.Add(Shop.Accounts, "tax-payable", tax);
    }
}

public sealed class SetStock() : Verb<StockArgs>("stock.set", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, StockArgs args) => ctx.Put(Shop.Stock, args.Sku, args.Quantity);
}

public sealed class SetStockV2() : Verb<StockArgs>("stock.set", 2, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, StockArgs args)
    {
        var row = ctx.GetOrDefault(Shop.StockV2, args.Sku, new StockRow(0, 0));
        ctx.Put(Shop.StockV2, args.Sku, row with { OnHand = args.Quantity });
    }
}

public sealed class SetPrice() : Verb<PriceArgs>("price.set", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, PriceArgs args) => ctx.Put(Shop.Prices, args.Sku, args.Cents);
}

/// <summary>Adopting v2 moves this branch's stock rows into the v2 table.</summary>
public sealed class AdoptV2() : AdoptVerb("shop.adopt", 1)
{
    protected override uint ToVersion => 2;

    protected override void Reshape(VerbContext ctx)
    {
        foreach (var (sku, quantity) in ctx.Rows(Shop.Stock))
        {
            ctx.Put(Shop.StockV2, sku, new StockRow(quantity, 0));
            ctx.Remove(Shop.Stock, sku);
        }
    }
}
