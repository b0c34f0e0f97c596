using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The relay's answer to a batch: one result per op, in batch order, the relay's size after it, the
/// origin of the log the positions belong to (null from transports that do not say), and for every author of
/// the batch the next seq the relay expects from it (its stored tip + 1; null from transports that do not say).</summary>
public sealed record IngestResponse(IReadOnlyList<IngestResult> Results, long RelaySize, string? Origin = null, IReadOnlyDictionary<AuthorId, ulong>? NextSeq = null);
