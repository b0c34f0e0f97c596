using System.Globalization;
using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>The result of verifying an author's chain: "chain OK · len N · tip …" or "breaks at op N: reason".</summary>
/// <param name="Author">The author of the chain.</param>
/// <param name="Length">Valid ops from seq 1 (the whole chain when it verifies).</param>
/// <param name="Tip">Chain hash of the last valid op.</param>
/// <param name="BrokenAtSeq">The position (1-based) of the first invalid op, or null.</param>
/// <param name="Break">Why it is invalid, or null.</param>
/// <param name="Detail">Details for people.</param>
/// <param name="Keys">The key state after the last valid op.</param>
/// <param name="SignaturesChecked">Signatures verified (the watermarked prefix is skipped).</param>
/// <param name="BrokenOp">The first invalid op itself, or null.</param>
public sealed record ChainReport(AuthorId Author, long Length, Hash32 Tip, ulong? BrokenAtSeq, ChainBreak? Break, string Detail, KeyState? Keys, long SignaturesChecked, SignedOp? BrokenOp = null)
{
    /// <summary>True when every op verified.</summary>
    public bool Ok => Break is null;

    /// <summary>The one-line report.</summary>
    public override string ToString() => Ok
        ? string.Create(CultureInfo.InvariantCulture, $"{Author}: chain OK · len {Length} · tip {Tip.ToShortString(16)}")
        : string.Create(CultureInfo.InvariantCulture, $"{Author}: breaks at op {BrokenAtSeq}: {Break} — {Detail}");
}
