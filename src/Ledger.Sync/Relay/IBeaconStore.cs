using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>Where a relay keeps the latest beacon of each device (docs/observability.md, "Beacons"), so the fleet's
/// beacons — and the alerts computed from them — survive a relay restart. Bounded: one beacon per author.</summary>
public interface IBeaconStore
{
    /// <summary>Keeps <paramref name="beacon"/> as its author's latest, unless the store holds one of that author sent
    /// at the same time or later (a replayed or reordered beacon never replaces a newer one). Atomic per author.</summary>
    /// <returns>True when kept.</returns>
    /// <exception cref="StorageFullException">The store is at its cap; nothing was written.</exception>
    Task<bool> KeepBeaconAsync(BeaconRecord beacon, CancellationToken cancellationToken = default);

    /// <summary>The latest beacon of every author kept, by author id (ordinal).</summary>
    Task<IReadOnlyList<BeaconRecord>> ReadBeaconsAsync(CancellationToken cancellationToken = default);
}
