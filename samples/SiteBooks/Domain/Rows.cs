using MessagePack;

namespace SiteBooks.Domain;

/// <summary>An invoice in a till's branch.</summary>
[MessagePackObject]
public sealed record InvoiceRow([property: Key(0)] string Customer, [property: Key(1)] long Cents, [property: Key(2)] bool Paid);

/// <summary>The shared pool of the last units of a SKU, claimed across sites.</summary>
[MessagePackObject]
public sealed record LastUnitPool([property: Key(0)] int Units, [property: Key(1)] string Holder);

/// <summary>The correction a losing claim folds to: the order is backordered.</summary>
[MessagePackObject]
public sealed record BackorderRow([property: Key(0)] string Sku, [property: Key(1)] string Till, [property: Key(2)] string Order);
