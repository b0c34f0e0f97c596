using System.Globalization;

namespace Ledger.Sync.AspNetCore;

/// <summary>Computes the fleet's alerts from the latest beacons (docs/observability.md, "Fleet alerts"). Pure: the
/// same beacons and time give the same alerts, in a stable order.</summary>
internal static class FleetAlerts
{
    public static IReadOnlyList<FleetAlert> Compute(IReadOnlyList<StoredBeacon> beacons, DateTimeOffset now, TimeSpan silentAfter, TimeSpan dangerAge)
    {
        var alerts = new List<FleetAlert>();

        // Divergence: the replay-hash check across devices. Nodes that hold exactly the same relay prefix of the same log
        // must have the same state hash; any difference is a fold that is not deterministic, or a different manifest.
        foreach (var group in beacons.Where(b => b.Beacon.StateHash is not null && b.Beacon.RelayOrigin is not null)
                     .GroupBy(b => (b.Beacon.RelayOrigin!, b.Beacon.Prefix))
                     .OrderBy(g => g.Key.Item1, StringComparer.Ordinal).ThenBy(g => g.Key.Prefix))
        {
            var byHash = group.GroupBy(b => b.Beacon.StateHash!.Value)
                .Select(h => (Hash: h.Key, Nodes: h.Select(b => b.Beacon.Author.Value).Order(StringComparer.Ordinal).ToArray()))
                .OrderByDescending(h => h.Nodes.Length).ThenBy(h => h.Nodes[0], StringComparer.Ordinal).ToArray();
            if (byHash.Length < 2) continue;
            // The most common hash is the reference (ties: the one of the first node by id); each other hash is one
            // alert naming the reference's first node and the nodes that differ from it.
            var reference = byHash[0];
            foreach (var odd in byHash.Skip(1))
            {
                var nodes = odd.Nodes.Append(reference.Nodes[0]).Order(StringComparer.Ordinal).ToArray();
                alerts.Add(new FleetAlert(FleetAlertCodes.Divergence, nodes, group.Key.Prefix, string.Create(CultureInfo.InvariantCulture,
                    $"{string.Join(", ", odd.Nodes)} folded the same {group.Key.Prefix} ops of '{group.Key.Item1}' to state {odd.Hash.ToString()[..12]}, {string.Join(", ", reference.Nodes)} to {reference.Hash.ToString()[..12]}. Replay each node's log (prove-the-books) to find the one whose fold differs, check that every node runs the same manifests, and rebuild the odd one out from the relay.")));
            }
        }

        // Manifests some node folds and another lacks: the one lacking them runs an older app.
        var known = beacons.SelectMany(b => b.Beacon.Manifests).ToHashSet();
        foreach (var stored in beacons)
        {
            var b = stored.Beacon;
            var name = b.Author.Value;
            var missing = known.Where(m => !b.Manifests.Contains(m)).Select(m => m.ToString()[..12]).Order(StringComparer.Ordinal).ToArray();
            if (missing.Length > 0)
            {
                alerts.Add(new FleetAlert(FleetAlertCodes.OldManifest, [name], null,
                    $"{name} lacks manifest(s) {string.Join(", ", missing)} that other nodes fold: update the app on that device (it parks ops written with them)."));
            }

            if (b.Parked > 0 || b.Findings.Contains(HealthCodes.Parked))
            {
                alerts.Add(new FleetAlert(FleetAlertCodes.Parked, [name], null, string.Create(CultureInfo.InvariantCulture,
                    $"{name} parks {b.Parked} op(s) it cannot fold: update the app on that device; its figures lag until then.")));
            }

            if (b.Findings.Contains(HealthCodes.Evidence) || b.Findings.Contains(HealthCodes.RelayFrozen))
            {
                alerts.Add(new FleetAlert(FleetAlertCodes.Equivocation, [name], null,
                    $"{name} holds evidence of misbehaviour ({string.Join(", ", b.Findings.Where(f => f is HealthCodes.Evidence or HealthCodes.RelayFrozen))}): export its evidence (GetEvidenceAsync), check it stand-alone, and if the relay forked its order, move the fleet to another relay."));
            }

            if (b.OldestUnacknowledgedSeconds is { } age && TimeSpan.FromSeconds(age) >= dangerAge)
            {
                alerts.Add(new FleetAlert(FleetAlertCodes.Unacknowledged, [name], null, string.Create(CultureInfo.InvariantCulture,
                    $"{name} has {b.Local + b.Syncing} own op(s) no relay holds, the oldest for {age / 3600} h (danger at {dangerAge.TotalHours:F0} h, when browsers and phones evict storage): get it online or export them now.")));
            }

            var quiet = now - stored.ReceivedAt;
            if (quiet >= silentAfter)
            {
                alerts.Add(new FleetAlert(FleetAlertCodes.Silent, [name], null, string.Create(CultureInfo.InvariantCulture,
                    $"{name} sent no beacon for {quiet.TotalMinutes:F0} min (limit {silentAfter.TotalMinutes:F0} min; last at {stored.ReceivedAt:u}): check that the device runs and reaches the relay; its unsynced ops are at risk.")));
            }
        }

        return alerts;
    }
}
