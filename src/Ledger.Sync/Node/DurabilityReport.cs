using System.Globalization;
using Ledger.Signing;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The durability ladder of a node: counts per rung, the age of the oldest unacknowledged op, and
/// the store's size against its cap. Carries no personal data.</summary>
public sealed record DurabilityReport(int Local, int Syncing, int Durable, int Won, int Lost, int Refused, TimeSpan? OldestUnacknowledged, long StoreBytes, long? StoreCapBytes)
{
    /// <summary>Ops a second location holds.</summary>
    public int Safe => Durable + Won + Lost;

    /// <summary>Store size as a percentage of its cap, when capped.</summary>
    public double? StorePercent => StoreCapBytes is { } cap && cap > 0 ? 100.0 * StoreBytes / cap : null;

    /// <summary>The witness line: <c>MON-DUR local=… syncing=… durable=… oldestUnackedSec=… storePct=…</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"MON-DUR local={Local} syncing={Syncing} durable={Safe} oldestUnackedSec={(OldestUnacknowledged is { } age ? age.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture) : "-")} storePct={(StorePercent is { } p ? p.ToString("F1", CultureInfo.InvariantCulture) : "-")}");
}
