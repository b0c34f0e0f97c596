namespace Ledger.Sync.AspNetCore;

/// <summary>The stable codes of <see cref="FleetAlert"/>.</summary>
public static class FleetAlertCodes
{
    /// <summary>Two nodes report different state hashes at the same relay prefix: the fleet's replay-hash check failed.</summary>
    public const string Divergence = "divergence";

    /// <summary>A node sent no beacon for longer than <see cref="LedgerRelayOptions.SilentAfter"/>.</summary>
    public const string Silent = "silent";

    /// <summary>A node lacks a manifest other nodes fold (its app is out of date).</summary>
    public const string OldManifest = "old-manifest";

    /// <summary>A node parks ops it cannot fold.</summary>
    public const string Parked = "parked";

    /// <summary>A node holds evidence of equivocation (or stopped trusting its relay).</summary>
    public const string Equivocation = "equivocation";

    /// <summary>A node's own ops have waited unacknowledged longer than <see cref="LedgerRelayOptions.UnacknowledgedDangerAge"/>.</summary>
    public const string Unacknowledged = "unacknowledged";
}
