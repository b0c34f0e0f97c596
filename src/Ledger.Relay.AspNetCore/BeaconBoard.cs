using System.Collections.Concurrent;
using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>The latest verified beacon per author of one ledger: kept in the relay's store (<see cref="IBeaconStore"/>),
/// so beacons and the alerts computed from them survive a restart, and mirrored in memory for the alert computation.
/// The mirror is filled from the store once, at first use.</summary>
internal sealed class BeaconBoard(IBeaconStore store)
{
    private readonly ConcurrentDictionary<AuthorId, StoredBeacon> _latest = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile bool _loaded;

    /// <summary>Fills the mirror from the store, once (later calls return at once).</summary>
    public async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded) return;
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loaded) return;
            foreach (var record in await store.ReadBeaconsAsync(cancellationToken).ConfigureAwait(false))
            {
                // A row that no longer decodes as a beacon of its author is skipped: the device's next beacon replaces it.
                if (!TryDecode(record, out var signed)) continue;
                Mirror(new StoredBeacon(signed, record.ReceivedAt));
            }

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
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
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
