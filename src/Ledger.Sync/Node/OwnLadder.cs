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

    // The compacted acknowledged prefix (risk B2): seqs 1 … _base are not held as entries, only as the chain hash of the
    // last and counts per rung. A node that opened from a checkpoint starts here instead of reading those own ops.
    private ulong _base;
    private Hash32 _baseHash;
    private int _baseDurable, _baseWon, _baseLost;

    // Entries [0, _settled) are settled (NodeCheckpoints may compact them): held at a position below the folded relay
    // prefix, their outcome known; counted as they are passed. Any change of rung below it starts the count again.
    private int _settled, _settledDurable, _settledWon, _settledLost;
    private int _n;

    /// <summary>No op below this index is Local or Syncing: pushing starts here instead of at seq 1 (a device with a
    /// long acknowledged history scanned all of it, under the fold lock, for every batch it pushed).</summary>
    private int _unacknowledgedFrom;
    private readonly Dictionary<ulong, string> _details = new();
    private readonly Dictionary<ulong, TaskCompletionSource> _done = new();

    /// <summary>How many own ops there are (the tip seq).</summary>
    public int Count => (int)_base + _n;

    /// <summary>The compacted acknowledged prefix: own seqs up to here are not held one by one (0 when none are).</summary>
    public ulong CompactedThrough => _base;

    /// <summary>A ladder whose seqs 1 … <paramref name="through"/> are a compacted acknowledged prefix (a node opening
    /// from its checkpoint); the next op added is seq <paramref name="through"/> + 1.</summary>
    public static OwnLadder Compacted(AuthorId author, ulong through, Hash32 chainHash, int durable, int won, int lost) =>
        new(author) { _base = through, _baseHash = chainHash, _baseDurable = durable, _baseWon = won, _baseLost = lost };

    /// <summary>The chain hash of own op <paramref name="seq"/>, when held (the compacted prefix keeps its last one).</summary>
    public bool TryChainHash(ulong seq, out Hash32 chainHash)
    {
        chainHash = default;
        if (seq == _base && _base > 0) chainHash = _baseHash;
        else if (TryGetValue(seq, out var op)) chainHash = op.ChainHash;
        else return false;
        return true;
    }

    /// <summary>Under the fold gate: the longest prefix of own ops that may be compacted — each held by the relay at a
    /// position below <paramref name="foldedCursor"/>, a claim's outcome known — with its last chain hash and counts.</summary>
    public (ulong Through, Hash32 ChainHash, int Durable, int Won, int Lost) SettledPrefix(long foldedCursor)
    {
        while (_settled < _n)
        {
            ref readonly var e = ref _entries[_settled];
            if (e.Position is not { } p || p >= foldedCursor || (e.IsClaim && e.Outcome is null)) break;
            if (e.Rung == DurabilityRung.Durable) _settledDurable++;
            else if (e.Rung == DurabilityRung.Won) _settledWon++;
            else if (e.Rung == DurabilityRung.Lost) _settledLost++;
            else break;
            _settled++;
        }

        var through = _base + (ulong)_settled;
        var hash = _settled > 0 ? _entries[_settled - 1].ChainHash : _baseHash;
        return (through, hash, _baseDurable + _settledDurable, _baseWon + _settledWon, _baseLost + _settledLost);
    }

    /// <summary>Adds the next own op (seq = <see cref="Count"/> + 1: a chain has no gaps).</summary>
    public void Add(SignedOp signed, DurabilityRung rung, long? position, string? detail, TaskCompletionSource? done = null)
    {
        ArgumentNullException.ThrowIfNull(signed);
        if (signed.Op.Author != _author || signed.Op.Seq != (ulong)Count + 1)
        {
            throw Error.InvalidOperation($"the ladder of {_author} takes seq {Count + 1} next, not {signed.Ref}.");
        }

        if (_n == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        _entries[_n] = new Entry(signed.Op.At, signed.Op.ClaimKey is not null, signed.ChainHash) { Rung = rung, Position = position };
        if (IsUnacknowledged(rung)) _unacknowledgedFrom = Math.Min(_unacknowledgedFrom, _n);
        _n++;
        if (detail is not null) _details[signed.Op.Seq] = detail;
        if (done is not null) _done[signed.Op.Seq] = done;
    }

    /// <summary>The op at <paramref name="seq"/>.</summary>
    public OwnOp this[ulong seq] => TryGetValue(seq, out var op) ? op : throw Error.KeyNotFound($"{_author} has no own op {seq}.");

    /// <summary>The op at <paramref name="seq"/>, if there is one.</summary>
    public bool TryGetValue(ulong seq, out OwnOp op)
    {
        op = seq > _base && seq <= (ulong)Count ? new OwnOp(this, seq) : null!;
        return op is not null;
    }

    /// <summary>Every own op, in seq order.</summary>
    public IEnumerable<OwnOp> Values
    {
        get
        {
            for (var seq = _base + 1; seq <= (ulong)Count; seq++) yield return new OwnOp(this, seq);
        }
    }

    /// <summary>The first <paramref name="max"/> ops no relay holds yet (Local or Syncing), in seq order.</summary>
    public List<OwnOp> Unacknowledged(int max)
    {
        while (_unacknowledgedFrom < _n && !IsUnacknowledged(_entries[_unacknowledgedFrom].Rung)) _unacknowledgedFrom++;
        var found = new List<OwnOp>();
        for (var i = _unacknowledgedFrom; i < _n && found.Count < max; i++)
        {
            if (IsUnacknowledged(_entries[i].Rung)) found.Add(new OwnOp(this, (ulong)i + 1 + _base));
        }

        return found;
    }

    /// <summary>The relay holds this author only below <paramref name="fromSeq"/>: every op from there that the ladder
    /// counted as held (Durable, or a Won or Lost claim, whose outcome came from the relay's order) goes back to Local
    /// with <paramref name="detail"/>, to be pushed again.</summary>
    public void MarkNotHeldFrom(ulong fromSeq, string detail)
    {
        if (fromSeq <= _base) throw Error.InvalidOperation($"own ops {fromSeq} to {_base} of {_author} are compacted (acknowledged before the checkpoint the node opened from): expand the ladder first.");
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
        int local = 0, syncing = 0, durable = _baseDurable, won = _baseWon, lost = _baseLost, refused = 0;
        long? oldest = null;
        for (var i = 0; i < _n; i++)
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

    private ref Entry At(ulong seq) => ref _entries[(int)(seq - 1 - _base)];

    private static bool IsUnacknowledged(DurabilityRung rung) => rung is DurabilityRung.Local or DurabilityRung.Syncing;

    private void SetRung(ulong seq, DurabilityRung rung)
    {
        At(seq).Rung = rung;
        var index = (int)(seq - 1 - _base);
        if (IsUnacknowledged(rung)) _unacknowledgedFrom = Math.Min(_unacknowledgedFrom, index);
        if (index < _settled) _settled = _settledDurable = _settledWon = _settledLost = 0;
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
