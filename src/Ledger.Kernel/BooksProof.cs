using System.Diagnostics;
using System.Globalization;

namespace Ledger.Kernel;

/// <summary>"Prove the books": replay a log into a fresh kernel and compare its state hash with the live
/// one. A match shows the numbers are a fold of the signed facts, not stored cells.</summary>
/// <param name="Ops">Ops replayed.</param>
/// <param name="ReplayHash">The fresh kernel's state hash.</param>
/// <param name="LiveHash">The live kernel's state hash.</param>
/// <param name="Elapsed">Wall time of the replay (measured outside the fold).</param>
public sealed record BooksProof(long Ops, Hash32 ReplayHash, Hash32 LiveHash, TimeSpan Elapsed)
{
    /// <summary>True when the replay reproduces the live state.</summary>
    public bool Match => ReplayHash == LiveHash;

    /// <summary>Replays <paramref name="log"/> (every op the live kernel accepted, in any legal order, with
    /// the relay positions known now) into a fresh kernel built with the live kernel's options.</summary>
    public static BooksProof Prove(LedgerKernel live, IEnumerable<SequencedOp> log, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(log);
        time ??= TimeProvider.System;
        var started = time.GetTimestamp();
        var fresh = new LedgerKernel(new KernelOptions { Manifests = live.Options.Manifests, TrackProvenance = false });
        long count = 0;
        foreach (var entry in log)
        {
            fresh.Apply(entry);
            count++;
        }

        // Claims fold at the end in relay order, so the log may list them in acceptance order.
        fresh.AdvanceRelayFrontier(live.RelayFrontier);
        var replay = fresh.StateHash();
        return new BooksProof(count, replay, live.StateHash(), time.GetElapsedTime(started));
    }

    /// <summary>The witness line: <c>MON-REPLAY ops=… replayHash=… liveHash=… match=Y|N ms=…</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"MON-REPLAY ops={Ops} replayHash={ReplayHash} liveHash={LiveHash} match={(Match ? 'Y' : 'N')} ms={Elapsed.TotalMilliseconds:F0}");
}
