using Ledger.Kernel;

namespace Ledger.Migration;

/// <summary>What a node can fold: the manifest line, the oldest and newest human versions and their ids.
/// The sync layer compares advertisements to tell a device to update before it is wedged by ops it would
/// have to park.</summary>
/// <param name="Name">The manifest line (app) name.</param>
/// <param name="MinVersion">The oldest version this software folds.</param>
/// <param name="MaxVersion">The newest version this software folds.</param>
/// <param name="Ids">The manifest ids.</param>
public sealed record ManifestAdvertisement(string Name, uint MinVersion, uint MaxVersion, IReadOnlyList<ManifestId> Ids)
{
    /// <summary>True when ops of <paramref name="id"/> fold here.</summary>
    public bool CanFold(ManifestId id) => Ids.Contains(id);

    /// <summary>True when a peer ships versions this node cannot fold: it should update before syncing more.</summary>
    public bool NeedsUpdateFor(ManifestAdvertisement peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return peer.Name == Name && peer.MaxVersion > MaxVersion;
    }
}
