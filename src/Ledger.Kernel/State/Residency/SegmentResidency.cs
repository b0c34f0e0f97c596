namespace Ledger.Kernel;

/// <summary>Keeps a state's resident rows under a budget: segments not touched recently are written to the segment
/// store and dropped from memory (their hash and row count stay), and a touch of an evicted segment loads exactly it,
/// verified against the kept hash.</summary>
/// <remarks>Eviction runs only between kernel calls (<see cref="Enforce"/>), never inside a fold, and it changes no
/// row: a loaded segment is byte for byte what was evicted (its hash proves it), so no hash and no fold result depends
/// on what was evicted when. Recency is the order of touches, never a clock.
/// <para>Eviction order resists scans and sweeps (a segmented LRU): a segment enters on probation when first touched or
/// loaded; touched again after another segment was touched in between (a fold of many ops on one segment counts once),
/// it is protected. Eviction takes the least recently touched segments on probation first, and protected ones only when
/// none is left; the protected list holds at most half the budget (its least recently touched go back on probation).
/// So a pass that touches every segment once (a checkpoint, an export, a sweep) cycles through probation and leaves
/// the segments a device works on resident; a pure sweep evicts as least-recently-used did.</para></remarks>
internal sealed class SegmentResidency
{
    private readonly ISegmentStore _store;
    private readonly long _budget;
    private readonly KernelMetrics.Residency _meters;
    // Reused across evictions; dropped after a round that grew it past SorterKept (a large segment), so that what the
    // budget does not count stays small.
    private const long SorterKept = 64 * 1024;
    private CanonicalRowSorter _sorter = new();
    private readonly RecencyList _probation = new();
    private readonly RecencyList _protected = new();
    private Segment? _lastTouched;
    private int _evicted;
    private SegmentDamagedException? _failure;

    public SegmentResidency(ISegmentStore store, long budget, System.Diagnostics.Metrics.IMeterFactory? meterFactory)
    {
        _store = store;
        _budget = budget;
        _meters = KernelMetrics.ResidencyMeters(meterFactory);
    }

    public long Budget => _budget;

    /// <summary>What every segment holds in memory beyond its rows' estimate, charged to the budget: the segment object
    /// with its id, kept hashes, count and list links, its entry in the state's dictionary, its id's strings, and what
    /// the row estimate misses of its rows. Measured, not derived: the B1 witness's heap grew 1.0–1.07 KB per segment
    /// beyond the budget in runs of 400, 4,000 and 20,000 segments (docs/performance.md), an overhead that grew with the
    /// segments (21 MB at 20,000). Charged here for every segment, resident or evicted, it pushes as many rows out, and
    /// what the heap holds beyond the budget stays a fixed amount.</summary>
    internal const long ShellBytes = 1024;

    /// <summary>The resident rows' bytes (what <see cref="StateMemoryReport.ResidentBytes"/> reports).</summary>
    public long ResidentBytes { get; private set; }

    // Segments attached to this residency (a state never drops a segment).
    private long _segments;

    /// <summary>What the budget is held to: the resident rows plus every segment's shell, and the provenance held in
    /// memory (tails, record descriptors and shells) when it is tracked.</summary>
    private long Charged => ResidentBytes + (_segments * ShellBytes) + ProvenanceBytes;

    /// <summary>The provenance index's spill (with <see cref="KernelOptions.TrackProvenance"/>): its tails ride with
    /// their segments, written out when a segment is evicted.</summary>
    internal ProvenanceSpill? Provenance { get; set; }

    /// <summary>The provenance bytes held in memory and charged to the budget.</summary>
    public long ProvenanceBytes => Provenance?.Bytes ?? 0;

    /// <summary>A segment was created under this residency.</summary>
    public void Added() => _segments++;

    public int EvictedSegments => _evicted;

    public long Evictions { get; private set; }

    public long Loads { get; private set; }

    public long LoadedBytes { get; private set; }

    public long OverFetched { get; private set; }

    public long FailedLoads { get; private set; }

    public long FailedEvictions { get; private set; }

    /// <summary>Evictions of clean segments (unchanged since the store got their rows): dropped, not written again.</summary>
    public long CleanEvictions { get; private set; }

    /// <summary>Every segment loaded, in order (tests read which segments a touch brought back).</summary>
    public List<SegmentId>? LoadLog { get; set; }

    public void Grew(Segment segment, long bytes)
    {
        ResidentBytes += bytes;
        if (segment.InList is { } list) list.Bytes += bytes;
        if (_meters.Resident.Enabled) _meters.Resident.Add(bytes);
    }

    public void Touched(Segment segment)
    {
        if (segment.IsEvicted) Load(segment);
        if (ReferenceEquals(_lastTouched, segment)) return; // a fold touches one segment many times in a row
        _lastTouched = segment;
        var from = segment.InList;
        from?.Remove(segment);
        if (from is null)
        {
            _probation.PushNewest(segment); // first touch, or loaded
            return;
        }

        _protected.PushNewest(segment); // touched again, with others touched in between
        DemoteOverflow();
    }

    private void DemoteOverflow()
    {
        while (_protected.Bytes > _budget / 2 && _protected.Oldest is { } oldest && !ReferenceEquals(oldest, _protected.Newest))
        {
            _protected.Remove(oldest);
            _probation.PushNewest(oldest);
        }
    }

    /// <summary>The load failure since the last call, if any (a verb may have caught the exception; the fold must not
    /// go on as if the read had found nothing).</summary>
    public SegmentDamagedException? TakeFailure()
    {
        var failure = _failure;
        _failure = null;
        return failure;
    }

    private void Load(Segment segment)
    {
        var evictedBefore = _evicted;
        var rows = Read(segment);
        try
        {
            segment.LoadEvicted(rows);
        }
        catch (SegmentDamagedException e)
        {
            throw Fail(e);
        }

        _evicted--;
        segment.StoredHash = segment.Hash; // the store holds exactly these rows: verified above
        Counted(segment, rows);
        OverFetched += (evictedBefore - _evicted) - 1;
    }

    /// <summary>The rows of an evicted segment from the store, verified against its kept hash, without loading it
    /// (a checkpoint reads them so); counted as a load of exactly that segment.</summary>
    public byte[] ReadVerified(Segment segment)
    {
        var rows = Read(segment);
        Counted(segment, rows);
        return rows;
    }

    /// <summary>Counts a read that found the verified rows unusable, and returns the error to throw.</summary>
    public SegmentDamagedException FailRead(SegmentDamagedException e) => Fail(e);

    private byte[] Read(Segment segment)
    {
        byte[]? rows;
        try
        {
            rows = _store.Read(segment.Id);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail(Error.SegmentDamaged(segment.Id, $"the segment store failed ({e.GetType().Name}: {e.Message}).", e));
        }

        if (rows is null) throw Fail(Error.SegmentDamaged(segment.Id, "the segment store does not hold it."));
        var hash = CanonicalRowSorter.HashRows(Segment.Domain, rows);
        if (hash != segment.Hash)
        {
            throw Fail(Error.SegmentDamaged(segment.Id, $"its rows hash to {hash}, the kernel kept {segment.Hash}."));
        }

        return rows;
    }

    private void Counted(Segment segment, byte[] rows)
    {
        Loads++;
        LoadedBytes += rows.Length;
        LoadLog?.Add(segment.Id);
        if (_meters.Loads.Enabled) _meters.Loads.Add(1);
    }

    private SegmentDamagedException Fail(SegmentDamagedException e)
    {
        FailedLoads++;
        _failure = e;
        return e;
    }

    /// <summary>When over budget, evicts the least recently touched segments until three quarters of the budget is
    /// resident (the margin keeps a fold hovering at the budget from evicting on every op). A segment unchanged since
    /// the store got its rows (its hash is the one stored) is dropped without being written again.</summary>
    public void Enforce()
    {
        if (Charged <= _budget) return;
        var target = _budget - (_budget / 4);
        DemoteOverflow();

        // Provenance tails go first (least recently touched first): a spilled tail is never read back by a fold, while
        // an evicted segment is loaded again when next touched, so a device's working set stays resident with its rows.
        if (Provenance is not null && !(SpillTails(_probation, target) && SpillTails(_protected, target))) return;
        _ = EvictOldest(_probation, target) && EvictOldest(_protected, target); // a store failure ends the round
        if (_sorter.Capacity > SorterKept) _sorter = new CanonicalRowSorter();
    }

    private bool SpillTails(RecencyList list, long target)
    {
        for (var segment = list.Oldest; segment is not null && Charged > target; segment = segment.Newer)
        {
            if (!SpillProvenance(segment)) return false;
        }

        return true;
    }

    private bool EvictOldest(RecencyList list, long target)
    {
        var segment = list.Oldest;
        while (segment is not null && Charged > target)
        {
            var newer = segment.Newer;
            if (!Evict(list, segment)) return false;
            segment = newer;
        }

        return true;
    }

    /// <summary>Writes a segment out (unless the store holds its rows already) and drops its rows; false when the store
    /// failed (the rows stay: over budget, but whole; Health reports it).</summary>
    private bool Evict(RecencyList list, Segment segment)
    {
        if (segment.IsEvicted || segment.Count == 0)
        {
            // Nothing to write (an emptied segment holds no rows); listed again when next touched, so the next touch
            // must not be taken for a repeat of the last one.
            list.Remove(segment);
            if (ReferenceEquals(_lastTouched, segment)) _lastTouched = null;
            return SpillProvenance(segment);
        }

        if (segment.CachedHash is { } cached && segment.StoredHash == cached)
        {
            CleanEvictions++;
        }
        else
        {
            try
            {
                var (hash, rows) = segment.SerializeResident(_sorter);
                if (segment.StoredHash == hash)
                {
                    CleanEvictions++; // written back to what the store holds
                }
                else
                {
                    segment.StoredHash = null; // while the write is under way the store's rows are unknown
                    _store.Write(segment.Id, hash, rows);
                    segment.StoredHash = hash;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                FailedEvictions++;
                return false;
            }
        }

        list.Remove(segment);
        if (ReferenceEquals(_lastTouched, segment)) _lastTouched = null;
        segment.MarkEvicted();
        _evicted++;
        Evictions++;
        if (_meters.Evictions.Enabled) _meters.Evictions.Add(1);
        return SpillProvenance(segment);
    }

    // The segment's provenance tail goes with it; a store that fails ends the round like a failed eviction (the tail
    // stays in memory, whole).
    private bool SpillProvenance(Segment segment)
    {
        if (Provenance is not { } provenance || provenance.Spill(segment.Id)) return true;
        FailedEvictions++;
        return false;
    }

    /// <summary>Resident segments, most recently touched first, linked through the segments themselves (a touch moves
    /// one in O(1) without allocating), with the resident bytes of those listed.</summary>
    internal sealed class RecencyList
    {
        public Segment? Newest { get; private set; }

        public Segment? Oldest { get; private set; }

        public long Bytes { get; set; }

        public void PushNewest(Segment segment)
        {
            segment.Older = Newest;
            segment.Newer = null;
            if (Newest is not null) Newest.Newer = segment;
            Newest = segment;
            Oldest ??= segment;
            segment.InList = this;
            Bytes += segment.ResidentBytes;
        }

        public void Remove(Segment segment)
        {
            if (segment.Newer is { } newer) newer.Older = segment.Older;
            else Newest = segment.Older;
            if (segment.Older is { } older) older.Newer = segment.Newer;
            else Oldest = segment.Newer;
            segment.Newer = null;
            segment.Older = null;
            segment.InList = null;
            Bytes -= segment.ResidentBytes;
        }
    }
}
