using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The durability ladder of a node's own ops, seq 1 … n, in one growing array of small structs.</summary>
/// <remarks>Why not an object per op: every own op ever signed stays on the ladder, so per-op objects are promoted
/// by every collection; on the test VM collections promoted ~100 MB/s, and a ladder of objects (with a sorted
/// dictionary's node each) made a 60-90 ms pause every ~20,000 appends, with the signer stopped. The array lives in
/// the large-object heap once past a few thousand ops and is not copied by ephemeral collections. The rare per-op
/// extras (a detail text, a critical op's completion) sit in dictionaries. Not thread-safe: the node's fold lock
/// guards it.</remarks>
internal sealed class OwnLadder(AuthorId author)
{
    private readonly AuthorId _author = author;
    private Entry[] _entries = new Entry[256];

    /// <summary>No op below this index is Local or Syncing: pushing starts here instead of at seq 1 (a device with a
    /// long acknowledged history scanned all of it, under the fold lock, for every batch it pushed).</summary>
    private int _unacknowledgedFrom;
    private readonly Dictionary<ulong, string> _details = new();
    private readonly Dictionary<ulong, TaskCompletionSource> _done = new();

    /// <summary>How many own ops there are (the tip seq).</summary>
    public int Count { get; private set; }

    /// <summary>Adds the next own op (seq = <see cref="Count"/> + 1: a chain has no gaps).</summary>
    public void Add(SignedOp signed, DurabilityRung rung, long? position, string? detail, TaskCompletionSource? done = null)
    {
        ArgumentNullException.ThrowIfNull(signed);
        if (signed.Op.Author != _author || signed.Op.Seq != (ulong)Count + 1)
        {
            throw Error.InvalidOperation($"the ladder of {_author} takes seq {Count + 1} next, not {signed.Ref}.");
        }

        if (Count == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        _entries[Count] = new Entry(signed.Op.At, signed.Op.ClaimKey is not null, signed.ChainHash) { Rung = rung, Position = position };
        if (IsUnacknowledged(rung)) _unacknowledgedFrom = Math.Min(_unacknowledgedFrom, Count);
        Count++;
        if (detail is not null) _details[signed.Op.Seq] = detail;
        if (done is not null) _done[signed.Op.Seq] = done;
    }

    /// <summary>The op at <paramref name="seq"/>.</summary>
    public OwnOp this[ulong seq] => TryGetValue(seq, out var op) ? op : throw Error.KeyNotFound($"{_author} has no own op {seq}.");

    /// <summary>The op at <paramref name="seq"/>, if there is one.</summary>
    public bool TryGetValue(ulong seq, out OwnOp op)
    {
        op = seq >= 1 && seq <= (ulong)Count ? new OwnOp(this, seq) : null!;
        return op is not null;
    }

    /// <summary>Every own op, in seq order.</summary>
    public IEnumerable<OwnOp> Values
    {
        get
        {
            for (var seq = 1UL; seq <= (ulong)Count; seq++) yield return new OwnOp(this, seq);
        }
    }

    /// <summary>The first <paramref name="max"/> ops no relay holds yet (Local or Syncing), in seq order.</summary>
    public List<OwnOp> Unacknowledged(int max)
    {
        while (_unacknowledgedFrom < Count && !IsUnacknowledged(_entries[_unacknowledgedFrom].Rung)) _unacknowledgedFrom++;
        var found = new List<OwnOp>();
        for (var i = _unacknowledgedFrom; i < Count && found.Count < max; i++)
        {
            if (IsUnacknowledged(_entries[i].Rung)) found.Add(new OwnOp(this, (ulong)i + 1));
        }

        return found;
    }

    /// <summary>The relay holds this author only below <paramref name="fromSeq"/>: every op from there that the ladder
    /// counted as held (Durable, or a Won or Lost claim, whose outcome came from the relay's order) goes back to Local
    /// with <paramref name="detail"/>, to be pushed again.</summary>
    public void MarkNotHeldFrom(ulong fromSeq, string detail)
    {
        for (var seq = Math.Max(fromSeq, 1); seq <= (ulong)Count; seq++)
        {
            if (At(seq).Rung is DurabilityRung.Durable or DurabilityRung.Won or DurabilityRung.Lost)
            {
                SetRung(seq, DurabilityRung.Local);
                _details[seq] = detail;
            }
        }
    }

    /// <summary>The critical ops whose completion is still open (completed ones are forgotten here).</summary>
    public List<OwnOp> AwaitingDone()
    {
        foreach (var seq in _done.Where(d => d.Value.Task.IsCompleted).Select(d => d.Key).ToList()) _done.Remove(seq);
        return _done.Keys.Order().Select(seq => new OwnOp(this, seq)).ToList();
    }

    /// <summary>Counts per rung and the edge time of the oldest op no relay holds.</summary>
    public (int Local, int Syncing, int Durable, int Won, int Lost, int Refused, long? OldestUnacknowledgedAt) Tally()
    {
        int local = 0, syncing = 0, durable = 0, won = 0, lost = 0, refused = 0;
        long? oldest = null;
        for (var i = 0; i < Count; i++)
        {
            ref readonly var e = ref _entries[i];
            switch (e.Rung)
            {
                case DurabilityRung.Local: local++; break;
                case DurabilityRung.Syncing: syncing++; break;
                case DurabilityRung.Durable: durable++; break;
                case DurabilityRung.Won: won++; break;
                case DurabilityRung.Lost: lost++; break;
                case DurabilityRung.Refused: refused++; break;
            }

            if (e.Rung is DurabilityRung.Local or DurabilityRung.Syncing) oldest = Math.Min(oldest ?? long.MaxValue, e.At);
        }

        return (local, syncing, durable, won, lost, refused, oldest);
    }

    private ref Entry At(ulong seq) => ref _entries[(int)(seq - 1)];

    private static bool IsUnacknowledged(DurabilityRung rung) => rung is DurabilityRung.Local or DurabilityRung.Syncing;

    private void SetRung(ulong seq, DurabilityRung rung)
    {
        At(seq).Rung = rung;
        if (IsUnacknowledged(rung)) _unacknowledgedFrom = Math.Min(_unacknowledgedFrom, (int)(seq - 1));
    }

    /// <summary>One own op's place on the ladder: a view that reads and writes the ladder's storage (cheap to make,
    /// never kept by the ladder).</summary>
    internal sealed class OwnOp(OwnLadder ladder, ulong seq)
    {
        public OpRef Ref => new(ladder._author, seq);

        /// <summary>The op's edge time (for the oldest-unacknowledged age).</summary>
        public long At => ladder.At(seq).At;

        public bool IsClaim => ladder.At(seq).IsClaim;

        public Hash32 ChainHash => ladder.At(seq).ChainHash;

        public DurabilityRung Rung
        {
            get => ladder.At(seq).Rung;
            set => ladder.SetRung(seq, value);
        }

        public long? Position
        {
            get => ladder.At(seq).Position;
            set => ladder.At(seq).Position = value;
        }

        /// <summary>A claim's outcome (Won or Lost) once folded; kept while the op is pushed again to a relay that
        /// lost it, so the rung can return to it.</summary>
        public DurabilityRung? Outcome
        {
            get => ladder.At(seq).Outcome;
            set => ladder.At(seq).Outcome = value;
        }

        public string? Detail
        {
            get => ladder._details.GetValueOrDefault(seq);
            set
            {
                if (value is null) ladder._details.Remove(seq);
                else ladder._details[seq] = value;
            }
        }

        public TaskCompletionSource? Done => ladder._done.GetValueOrDefault(seq);

        /// <summary>A relay acknowledged it: an op not counted as held yet becomes Durable, or a claim whose outcome is
        /// known returns to it.</summary>
        public void MarkHeld()
        {
            if (Rung is DurabilityRung.Local or DurabilityRung.Syncing) Rung = Outcome ?? DurabilityRung.Durable;
        }
    }

    private struct Entry(long at, bool isClaim, Hash32 chainHash)
    {
        public readonly long At = at;
        public readonly bool IsClaim = isClaim;
        public readonly Hash32 ChainHash = chainHash;
        public DurabilityRung Rung;
        public long? Position;
        public DurabilityRung? Outcome;
    }
}
