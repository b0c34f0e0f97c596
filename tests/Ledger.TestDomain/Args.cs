using MessagePack;

namespace Ledger.TestDomain;

/// <summary>Key and text.</summary>
[MessagePackObject]
public sealed record NoteArgs([property: Key(0)] string Key, [property: Key(1)] string Text);

/// <summary>Key and amount.</summary>
[MessagePackObject]
public sealed record AmountArgs([property: Key(0)] string Key, [property: Key(1)] long Amount);

/// <summary>Key and element.</summary>
[MessagePackObject]
public sealed record TagArgs([property: Key(0)] string Key, [property: Key(1)] string Tag);

/// <summary>A sale: invoice, account, cents.</summary>
[MessagePackObject]
public sealed record SaleArgs([property: Key(0)] string Invoice, [property: Key(1)] string Account, [property: Key(2)] long Cents);

/// <summary>Units for a claim pool.</summary>
[MessagePackObject]
public sealed record UnitsArgs([property: Key(0)] int Units, [property: Key(1)] string Reference);

/// <summary>A stored note.</summary>
[MessagePackObject]
public sealed record Note([property: Key(0)] string Text, [property: Key(1)] long At);

/// <summary>An invoice row.</summary>
[MessagePackObject]
public sealed record Invoice([property: Key(0)] string Account, [property: Key(1)] long Cents, [property: Key(2)] string Id);

/// <summary>A claim pool row.</summary>
[MessagePackObject]
public sealed record Pool([property: Key(0)] int Units, [property: Key(1)] string LastTaker);

/// <summary>A backorder correction.</summary>
[MessagePackObject]
public sealed record Backorder([property: Key(0)] string ClaimKey, [property: Key(1)] string Reference, [property: Key(2)] string Author);
