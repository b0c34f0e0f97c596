using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>What a node tells its relay about itself (risk G2; docs/observability.md, "Beacons"; wire form in
/// docs/wire-format.md, "Beacon v1"): counts, codes, ids and hashes — never an op's contents, a sealed field, a key
/// or personal data. Signed by the author's current key (<see cref="BeaconWire.Sign"/>); the relay keeps the latest
/// per author and computes fleet alerts from them.</summary>
/// <param name="Ledger">The ledger.</param>
/// <param name="Author">The device's author id.</param>
/// <param name="SentAtUnixMs">When the node made it, by its own clock (a later beacon replaces an earlier one).</param>
/// <param name="Software">The version of Ledger.Sync the node runs.</param>
/// <param name="Manifests">The manifests the node can fold, in byte order of their ids.</param>
/// <param name="RelayOrigin">The relay log the node follows (null before its first pull).</param>
/// <param name="Prefix">The relay prefix the node has folded (its cursor).</param>
/// <param name="StateHash">The state hash of exactly that prefix: present only when the node has folded the prefix
/// and nothing else (no own op outside it, nothing parked), so two nodes' hashes at one prefix must be equal.</param>
/// <param name="Local">Own ops on this device only.</param>
/// <param name="Syncing">Own ops pushed, not yet acknowledged.</param>
/// <param name="Durable">Own ops the relay holds (claims won or lost included).</param>
/// <param name="Refused">Own ops the relay refused for good.</param>
/// <param name="OldestUnacknowledgedSeconds">Age of the oldest own op no relay holds (null: none).</param>
/// <param name="Parked">Ops parked: this software cannot fold them yet.</param>
/// <param name="Findings">The codes of <see cref="DeviceNode.Health"/>'s findings (<see cref="HealthCodes"/>), sorted.</param>
public sealed record NodeBeacon(
    string Ledger,
    AuthorId Author,
    long SentAtUnixMs,
    string Software,
    IReadOnlyList<Hash32> Manifests,
    string? RelayOrigin,
    long Prefix,
    Hash32? StateHash,
    int Local,
    int Syncing,
    int Durable,
    int Refused,
    long? OldestUnacknowledgedSeconds,
    int Parked,
    IReadOnlyList<string> Findings)
{
    /// <summary>The beacon of <paramref name="node"/> now: its health, ladder, manifests and — when it holds exactly a
    /// relay prefix — its state hash there.</summary>
    public static NodeBeacon Of(DeviceNode node, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var health = node.Health();
        var d = health.Durability;
        // One read under the fold lock: the cursor, the count folded and the hash belong to one moment.
        var (folded, cursor, hash, parked, manifests) = node.Read(k => (k.AcceptedOps, node.Store.Cursor, k.StateHash(), k.Parked.Ops.Count,
            k.Options.Manifests is ManifestCatalog catalog ? catalog.Manifests.Select(m => m.Id.Hash).ToArray() : []));
        // The node has folded every op below its cursor (or parked it); folded == cursor with nothing parked means it
        // holds exactly the prefix: its hash is the one every honest replica of this prefix has.
        var atPrefix = parked == 0 && folded == cursor && node.RelayOrigin is not null;
        var software = typeof(NodeBeacon).Assembly.GetName().Version?.ToString() ?? "0";
        return new NodeBeacon(node.Ledger, node.Author, (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds(), software,
            manifests.Distinct().OrderBy(m => m.ToString(), StringComparer.Ordinal).ToArray(), node.RelayOrigin, cursor, atPrefix ? hash : null,
            d.Local, d.Syncing, d.Safe, d.Refused, d.OldestUnacknowledged is { } age ? (long)age.TotalSeconds : null, parked,
            health.Findings.Select(f => f.Code).Distinct().Order(StringComparer.Ordinal).ToArray());
    }
}
