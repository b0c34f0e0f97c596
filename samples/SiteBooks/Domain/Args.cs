using MessagePack;

namespace SiteBooks.Domain;

[MessagePackObject]
public sealed record StockArgs([property: Key(0)] string Sku, [property: Key(1)] int Quantity);

[MessagePackObject]
public sealed record InvoiceArgs([property: Key(0)] string Invoice, [property: Key(1)] string Customer, [property: Key(2)] long Cents);

[MessagePackObject]
public sealed record PaymentArgs([property: Key(0)] string Invoice);

[MessagePackObject]
public sealed record PriceArgs([property: Key(0)] string Sku, [property: Key(1)] long Cents);

[MessagePackObject]
public sealed record ClaimArgs([property: Key(0)] string Sku, [property: Key(1)] int Units, [property: Key(2)] string Order);
