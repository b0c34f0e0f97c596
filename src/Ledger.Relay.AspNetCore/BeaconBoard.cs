using System.Collections.Concurrent;
using Ledger.Kernel;

namespace Ledger.Sync.AspNetCore;

/// <summary>The latest verified beacon per author of one ledger, in memory (a relay restart forgets them; devices send
/// a beacon every sync round, so the board refills within one interval).</summary>
internal sealed class BeaconBoard
{
    private readonly ConcurrentDictionary<AuthorId, StoredBeacon> _latest = new();

    /// <summary>Keeps <paramref name="beacon"/> unless the board holds a later one of its author (a replayed or
    /// reordered beacon never replaces a newer one). True when kept.</summary>
    public bool Offer(SignedBeacon beacon, DateTimeOffset receivedAt)
    {
        var stored = new StoredBeacon(beacon, receivedAt);
        while (true)
        {
            if (_latest.TryGetValue(beacon.Beacon.Author, out var held))
            {
                if (held.Beacon.SentAtUnixMs >= beacon.Beacon.SentAtUnixMs) return false;
                if (_latest.TryUpdate(beacon.Beacon.Author, stored, held)) return true;
            }
            else if (_latest.TryAdd(beacon.Beacon.Author, stored))
            {
                return true;
            }
        }
    }

    /// <summary>Every author's latest beacon, by author id.</summary>
    public IReadOnlyList<StoredBeacon> All() => _latest.Values.OrderBy(b => b.Beacon.Author.Value, StringComparer.Ordinal).ToArray();
}
