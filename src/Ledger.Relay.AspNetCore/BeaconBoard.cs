using System.Collections.Concurrent;
using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>The latest verified beacon per author of one ledger: kept in the relay's store (<see cref="IBeaconStore"/>),
/// so beacons and the alerts computed from them survive a restart, and mirrored in memory for the alert computation.
/// The mirror is filled from the store at first use; over a store shared by several relay instances
/// (<see cref="ISharedRelayStore"/>) it is filled again when it is older than <see cref="SharedRefresh"/>, so a beacon
/// posted to one instance shows in every instance's alerts within that time.</summary>
internal sealed class BeaconBoard(IBeaconStore store)
{
    /// <summary>How old the mirror of a shared store may be when alerts are read. One read of at most one row per
    /// device: cheap against how often alerts are read (a monitor page, a health probe).</summary>
    internal static readonly TimeSpan SharedRefresh = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<AuthorId, StoredBeacon> _latest = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly bool _shared = store is ISharedRelayStore;
    private volatile bool _loaded;
    private long _loadedAt;

    private bool Fresh => _loaded && (!_shared || System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _loadedAt)) < SharedRefresh);

    /// <summary>Fills the mirror from the store: once, or again when a shared store's mirror is stale.</summary>
    public async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (Fresh) return;
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh) return;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var record in await store.ReadBeaconsAsync(cancellationToken).ConfigureAwait(false))
            {
                // A row that no longer decodes as a beacon of its author is skipped: the device's next beacon replaces it.
                if (!TryDecode(record, out var signed)) continue;
                Mirror(new StoredBeacon(signed, record.ReceivedAt));
            }

            Interlocked.Exchange(ref _loadedAt, started);
            _loaded = true;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Keeps <paramref name="beacon"/> unless the store holds a later one of its author (a replayed or
    /// reordered beacon never replaces a newer one): in the store first, then in the mirror. True when kept.</summary>
    public async Task<bool> OfferAsync(SignedBeacon beacon, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        // Loaded once before the first offer; what other instances kept since is refreshed when alerts are read.
        if (!_loaded) await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var record = new BeaconRecord(beacon.Beacon.Author, beacon.Beacon.SentAtUnixMs, receivedAt, beacon.Bytes);
        if (!await store.KeepBeaconAsync(record, cancellationToken).ConfigureAwait(false)) return false;
        Mirror(new StoredBeacon(beacon, receivedAt));
        return true;
    }

    /// <summary>Every author's latest beacon, by author id (as loaded: call <see cref="EnsureLoadedAsync"/> first).</summary>
    public IReadOnlyList<StoredBeacon> All() => _latest.Values.OrderBy(b => b.Beacon.Author.Value, StringComparer.Ordinal).ToArray();

    private void Mirror(StoredBeacon stored)
    {
        var author = stored.Beacon.Author;
        while (true)
        {
            if (_latest.TryGetValue(author, out var held))
            {
                if (held.Beacon.SentAtUnixMs >= stored.Beacon.SentAtUnixMs) return;
                if (_latest.TryUpdate(author, stored, held)) return;
            }
            else if (_latest.TryAdd(author, stored))
            {
                return;
            }
        }
    }

    private static bool TryDecode(BeaconRecord record, out SignedBeacon signed)
    {
        try
        {
            signed = BeaconWire.Decode(record.Bytes);
            return signed.Beacon.Author == record.Author;
        }
        catch (LedgerFormatException)
        {
            signed = null!;
            return false;
        }
    }
}
