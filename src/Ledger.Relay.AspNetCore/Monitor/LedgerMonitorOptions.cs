using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>What the monitor page (<c>app.MapLedgerMonitor()</c>) shows: a relay's fleet (beacons and alerts), one
/// device node's widgets (a running node, or one device's store), or both. Without a relay the fleet widget says that
/// it has no fleet.</summary>
public sealed class LedgerMonitorOptions
{
    /// <summary>The relay server whose fleet alerts, beacons and counters are shown (null: none).</summary>
    public LedgerRelayServer? Server { get; set; }

    /// <summary>The ledger of <see cref="Server"/> shown (default: its first).</summary>
    public string? Ledger { get; set; }

    /// <summary>The device node whose widgets are shown — prove-the-books, tap-to-fold, chain integrity, the durability
    /// ladder, pull-the-plug, the serverless meter, bootstrap path, key panel, business-time clock, crypto-shred (null: none).</summary>
    public DeviceNode? Node { get; set; }

    /// <summary>One device's store, read and folded without its key (what <c>ledger monitor &lt;node.db&gt;</c> shows): the
    /// same widgets as <see cref="Node"/>, used when <see cref="Node"/> is null (null: none).</summary>
    public NodeStoreSnapshot? Store { get; set; }

    /// <summary>The relay client the node syncs through, for its round-trip count (null: not shown).</summary>
    public Func<long>? RoundTrips { get; set; }
}
