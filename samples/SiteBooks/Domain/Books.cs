using Ledger.Kernel;

namespace SiteBooks.Domain;

/// <summary>The SiteBooks tables and the manifest.</summary>
public static class Books
{
    /// <summary>Units on hand per SKU, per till (branch).</summary>
    public static readonly BranchTable<long> Stock = new("stock");

    /// <summary>Invoices per till (branch).</summary>
    public static readonly BranchTable<InvoiceRow> Invoices = new("invoices");

    /// <summary>General ledger accounts in cents (Shared counters): revenue, receivable, cash.</summary>
    public static readonly CounterTable Accounts = new("accounts");

    /// <summary>The largest sale per site (Shared max).</summary>
    public static readonly MaxTable LargestSale = new("largest-sale");

    /// <summary>List prices per SKU (Shared last-writer-wins).</summary>
    public static readonly LwwTable<long> Prices = new("prices");

    /// <summary>The last units of a SKU, shared across sites (Claim).</summary>
    public static readonly ClaimTable<LastUnitPool> LastUnits = new("last-units");

    /// <summary>Orders that lost a last-unit claim (Correction).</summary>
    public static readonly CorrectionTable<BackorderRow> Backorders = new("backorders");

    public static readonly ReceiveStock ReceiveStock = new();
    public static readonly IssueStock IssueStock = new();
    public static readonly PostInvoice PostInvoice = new();
    public static readonly RecordPayment RecordPayment = new();
    public static readonly SetPrice SetPrice = new();
    public static readonly ReleaseLastUnits ReleaseLastUnits = new();
    public static readonly ClaimLastUnit ClaimLastUnit = new();

    /// <summary>Manifest v1 of SiteBooks.</summary>
    public static readonly Manifest V1 = new ManifestBuilder("sitebooks", 1)
        .Tables(Stock, Invoices, Accounts, LargestSale, Prices, LastUnits, Backorders)
        .Add(ReceiveStock, IssueStock, PostInvoice, RecordPayment, SetPrice, ReleaseLastUnits, ClaimLastUnit)
        .Build();

    /// <summary>v2: invoices carry 20 % VAT, booked to <c>tax-payable</c>.</summary>
    public static readonly PostInvoiceWithVat PostInvoiceV2 = new();

    /// <summary>v2: a till adopts the new tax rule.</summary>
    public static readonly AdoptVat AdoptV2 = new();

    /// <summary>Manifest v2: the changed tax rule. Every v1 verb but invoice.post@1 carries on unchanged.</summary>
    public static readonly Manifest V2 = new ManifestBuilder("sitebooks", 2)
        .Tables(Stock, Invoices, Accounts, LargestSale, Prices, LastUnits, Backorders, Ledger.Migration.Adoptions.Table)
        .Add(ReceiveStock, IssueStock, PostInvoiceV2, RecordPayment, SetPrice, ReleaseLastUnits, ClaimLastUnit, AdoptV2)
        .Build();

    /// <summary>v3: customers per front desk (branch), their names sealed (Ledger.Erasure).</summary>
    public static readonly BranchTable<CustomerRow> Customers = new("customers");

    /// <summary>v3: a front desk registers a customer.</summary>
    public static readonly RegisterCustomer RegisterCustomer = new();

    /// <summary>Manifest v3: v2 plus customers with sealed names. Every v2 verb carries on unchanged.</summary>
    public static readonly Manifest V3 = new ManifestBuilder("sitebooks", 3)
        .Tables(Stock, Invoices, Accounts, LargestSale, Prices, LastUnits, Backorders, Ledger.Migration.Adoptions.Table, Customers)
        .Add(ReceiveStock, IssueStock, PostInvoiceV2, RecordPayment, SetPrice, ReleaseLastUnits, ClaimLastUnit, AdoptV2, RegisterCustomer)
        .Build();

    /// <summary>Every manifest SiteBooks has shipped.</summary>
    public static Ledger.Migration.ManifestHistory History(bool withV2 = true) => withV2 ? new(V1, V2, V3) : new(V1);

    /// <summary>The claim key of a SKU's last units.</summary>
    public static string LastUnitKey(string sku) => "last:" + sku;

    /// <summary>The site a till belongs to: <c>site-a-till-2</c> → <c>site-a</c>.</summary>
    public static string SiteOf(AuthorId till) => till.Value[..till.Value.IndexOf("-till", StringComparison.Ordinal)];
}
