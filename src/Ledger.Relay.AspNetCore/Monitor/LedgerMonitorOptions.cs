using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>What the monitor page (<c>app.MapLedgerMonitor()</c>) shows: a relay's fleet (beacons and alerts), one
/// device node's widgets, or both.</summary>
public sealed class LedgerMonitorOptions
{
    /// <summary>The relay server whose fleet alerts, beacons and counters are shown (null: none).</summary>
    public LedgerRelayServer? Server { get; set; }

    /// <summary>The ledger of <see cref="Server"/> shown (default: its first).</summary>
    public string? Ledger { get; set; }

    /// <summary>The device node whose widgets are shown — prove-the-books, tap-to-fold, chain integrity, the durability
    /// ladder, pull-the-plug, the serverless meter, bootstrap path, key panel, business-time clock, crypto-shred (null: none).</summary>
    public DeviceNode? Node { get; set; }

    /// <summary>The relay client the node syncs through, for its round-trip count (null: not shown).</summary>
    public Func<long>? RoundTrips { get; set; }
}
