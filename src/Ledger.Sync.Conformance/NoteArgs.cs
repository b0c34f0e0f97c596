using MessagePack;

namespace Ledger.Sync.Conformance;

/// <summary>The args of the conformance manifest's one verb.</summary>
/// <param name="Key">A row key.</param>
/// <param name="Value">A value.</param>
[MessagePackObject]
public sealed record NoteArgs([property: Key(0)] string Key, [property: Key(1)] long Value);
