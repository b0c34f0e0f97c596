using Ledger.Kernel;

namespace SiteBooks.Domain;

/// <summary>Goods arrive at a till's stock room.</summary>
public sealed class ReceiveStock() : Verb<StockArgs>("stock.receive", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, StockArgs args)
    {
        if (args.Quantity <= 0) ctx.Refuse("non-positive-quantity");
        ctx.Put(Books.Stock, args.Sku, ctx.GetOrDefault(Books.Stock, args.Sku, 0L) + args.Quantity);
    }
}

/// <summary>Goods leave a till's stock; never below zero.</summary>
public sealed class IssueStock() : Verb<StockArgs>("stock.issue", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, StockArgs args)
    {
        if (args.Quantity <= 0) ctx.Refuse("non-positive-quantity");
        var onHand = ctx.GetOrDefault(Books.Stock, args.Sku, 0L);
        if (onHand < args.Quantity) ctx.Refuse("insufficient-stock");
        ctx.Put(Books.Stock, args.Sku, onHand - args.Quantity);
    }
}

/// <summary>An invoice: revenue and receivable in the shared ledger, the invoice row in the till's branch.</summary>
public sealed class PostInvoice() : Verb<InvoiceArgs>("invoice.post", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, InvoiceArgs args)
    {
        if (args.Cents <= 0) ctx.Refuse("non-positive-amount");
        if (ctx.TryGet(Books.Invoices, args.Invoice, out _)) ctx.Refuse("duplicate-invoice");
        ctx.Put(Books.Invoices, args.Invoice, new InvoiceRow(args.Customer, args.Cents, false));
        ctx.Add(Books.Accounts, "revenue", args.Cents);
        ctx.Add(Books.Accounts, "receivable", args.Cents);
        ctx.Max(Books.LargestSale, Books.SiteOf(ctx.Author), args.Cents);
    }
}

/// <summary>v2 of invoice.post: amounts include 20 % VAT, which goes to tax-payable instead of revenue.</summary>
public sealed class PostInvoiceWithVat() : Verb<InvoiceArgs>("invoice.post", 2, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, InvoiceArgs args)
    {
        if (args.Cents <= 0) ctx.Refuse("non-positive-amount");
        if (ctx.TryGet(Books.Invoices, args.Invoice, out _)) ctx.Refuse("duplicate-invoice");
        var vat = args.Cents / 6;
        ctx.Put(Books.Invoices, args.Invoice, new InvoiceRow(args.Customer, args.Cents, false));
        ctx.Add(Books.Accounts, "revenue", args.Cents - vat);
        ctx.Add(Books.Accounts, "tax-payable", vat);
        ctx.Add(Books.Accounts, "receivable", args.Cents);
        ctx.Max(Books.LargestSale, Books.SiteOf(ctx.Author), args.Cents);
    }
}

/// <summary>A till switches to the v2 tax rule. Its rows need no reshaping: v2 only adds an account.</summary>
public sealed class AdoptVat() : Ledger.Migration.AdoptVerb("sitebooks.adopt", 1)
{
    protected override uint ToVersion => 2;

    protected override void Reshape(VerbContext ctx)
    {
    }
}

/// <summary>A payment settles one invoice of the same till.</summary>
public sealed class RecordPayment() : Verb<PaymentArgs>("payment.record", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, PaymentArgs args)
    {
        if (!ctx.TryGet(Books.Invoices, args.Invoice, out var invoice)) ctx.Refuse("unknown-invoice");
        if (invoice.Paid) ctx.Refuse("already-paid");
        ctx.Put(Books.Invoices, args.Invoice, invoice with { Paid = true });
        ctx.Add(Books.Accounts, "receivable", -invoice.Cents);
        ctx.Add(Books.Accounts, "cash", invoice.Cents);
    }
}

/// <summary>Head office sets a list price; the latest (At, Author, Seq) wins everywhere.</summary>
public sealed class SetPrice() : Verb<PriceArgs>("price.set", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, PriceArgs args)
    {
        if (args.Cents < 0) ctx.Refuse("negative-price");
        ctx.Put(Books.Prices, args.Sku, args.Cents);
    }
}

/// <summary>A site releases its last units of a SKU into the shared pool.</summary>
public sealed class ReleaseLastUnits() : Verb<ClaimArgs>("lastunit.release", 1, Scope.Claim)
{
    protected override void Execute(VerbContext ctx, ClaimArgs args)
    {
        if (args.Units <= 0) ctx.Refuse("non-positive-quantity");
        var pool = ctx.TryGetClaim(Books.LastUnits, out var p) ? p : new LastUnitPool(0, "");
        ctx.SetClaim(Books.LastUnits, pool with { Units = pool.Units + args.Units });
    }
}

/// <summary>A till claims one of the last units; the first in relay order wins, a loser is backordered.</summary>
public sealed class ClaimLastUnit() : Verb<ClaimArgs>("lastunit.claim", 1, Scope.Claim)
{
    protected override void Execute(VerbContext ctx, ClaimArgs args)
    {
        if (ctx.TryGetClaim(Books.LastUnits, out var pool) && pool.Units > 0)
        {
            ctx.SetClaim(Books.LastUnits, new LastUnitPool(pool.Units - 1, ctx.Author.Value));
        }
        else
        {
            ctx.Correct(Books.Backorders, new BackorderRow(args.Sku, ctx.Author.Value, args.Order));
        }
    }
}
