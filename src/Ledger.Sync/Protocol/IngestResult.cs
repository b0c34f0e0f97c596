using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The relay's answer for one op of a batch.</summary>
/// <param name="Index">The op's index in the batch.</param>
/// <param name="Op">The op, when its bytes decoded.</param>
/// <param name="Status">Accepted, duplicate or refused.</param>
/// <param name="Position">The op's position in the relay order (accepted or duplicate).</param>
/// <param name="Refusal">Why it was refused.</param>
/// <param name="Break">For <see cref="IngestRefusal.InvalidChain"/>: the broken rule.</param>
/// <param name="SendFromSeq">For a gap: the seq the relay needs next.</param>
/// <param name="Detail">What exactly, for people.</param>
public sealed record IngestResult(int Index, OpRef? Op, IngestStatus Status, long? Position = null, IngestRefusal? Refusal = null,
    ChainBreak? Break = null, ulong? SendFromSeq = null, string? Detail = null)
{
    /// <summary>True when the relay holds the op (accepted now or before).</summary>
    public bool Held => Status is IngestStatus.Accepted or IngestStatus.Duplicate;
}
