namespace Ledger.Sync;

/// <summary>What a restore brought back and what it cannot vouch for (a restore is never silent about loss).</summary>
/// <param name="Source">"export" or "relay".</param>
/// <param name="OwnThroughSeq">The last own seq restored.</param>
/// <param name="Unacknowledged">Own ops restored that no relay has acknowledged yet (pushed on the next sync).</param>
/// <param name="Ops">Ops restored in all.</param>
/// <param name="MayBeLost">What may be missing, in words: ops signed after the source was taken.</param>
public sealed record RestoreReport(string Source, ulong OwnThroughSeq, int Unacknowledged, int Ops, string MayBeLost);
