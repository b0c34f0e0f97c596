using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The gossip notes a node has already checked to a verdict no later check can change, by the SHA-256 of
/// their bytes, so a sync round skips them: a relay answers every <c>GET cosignatures</c> with its newest
/// <see cref="RelayOptions.MaxCosignatures"/> notes (1,024 by default), and each check is an Ed25519 verification.</summary>
/// <remarks>Measured on the fleet tool (quiet host, 10,000 tills at 100 ops/s, three observer nodes syncing after
/// every push): 61 % of the tool's CPU was libsodium, three quarters of it re-checking the same cosigned notes round
/// after round — about 1.5 of the two cores for 100 ops a second. Bounded (oldest forgotten first: a forgotten note
/// is only checked again); emptied when the node's tree is cut back, because a note settled against a prefix must be
/// checked again against a new one. Touched by sync rounds and the pull path; its own lock, a leaf.</remarks>
internal sealed class SettledGossip(int capacity)
{
    private readonly Lock _lock = new();
    private readonly HashSet<Hash32> _set = [];
    private readonly Queue<Hash32> _order = new();

    public bool Contains(Hash32 note)
    {
        lock (_lock) return _set.Contains(note);
    }

    public void Add(Hash32 note)
    {
        lock (_lock)
        {
            if (!_set.Add(note)) return;
            _order.Enqueue(note);
            while (_order.Count > capacity) _set.Remove(_order.Dequeue());
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _set.Clear();
            _order.Clear();
        }
    }
}
