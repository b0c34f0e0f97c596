namespace Ledger.Kernel;

/// <summary>Keeps a state's resident rows under a budget: segments not touched recently are written to the segment
/// store and dropped from memory (their hash and row count stay), and a touch of an evicted segment loads exactly it,
/// verified against the kept hash.</summary>
/// <remarks>Eviction runs only between kernel calls (<see cref="Enforce"/>), never inside a fold, and it changes no
/// row: a loaded segment is byte for byte what was evicted (its hash proves it), so no hash and no fold result depends
/// on what was evicted when. Recency is the order of touches (a list, most recent first), never a clock.</remarks>
internal sealed class SegmentResidency
{
    private readonly ISegmentStore _store;
    private readonly long _budget;
    private readonly KernelMetrics.Residency _meters;
    private readonly CanonicalRowSorter _sorter = new();
    private Segment? _newest;
    private Segment? _oldest;
    private int _evicted;
    private SegmentDamagedException? _failure;

    public SegmentResidency(ISegmentStore store, long budget, System.Diagnostics.Metrics.IMeterFactory? meterFactory)
    {
        _store = store;
        _budget = budget;
        _meters = KernelMetrics.ResidencyMeters(meterFactory);
    }

    public long Budget => _budget;

    public long ResidentBytes { get; private set; }

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

    public void Grew(long bytes)
    {
        ResidentBytes += bytes;
        if (_meters.Resident.Enabled) _meters.Resident.Add(bytes);
    }

    public void Touched(Segment segment)
    {
        if (segment.IsEvicted) Load(segment);
        if (ReferenceEquals(_newest, segment)) return; // a fold touches one segment many times in a row
        if (segment.Listed) Unlink(segment);
        segment.Older = _newest;
        segment.Newer = null;
        if (_newest is not null) _newest.Newer = segment;
        _newest = segment;
        _oldest ??= segment;
        segment.Listed = true;
    }

    private void Unlink(Segment segment)
    {
        if (segment.Newer is { } newer) newer.Older = segment.Older;
        else _newest = segment.Older;
        if (segment.Older is { } older) older.Newer = segment.Newer;
        else _oldest = segment.Newer;
        segment.Newer = null;
        segment.Older = null;
        segment.Listed = false;
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
        Loads++;
        LoadedBytes += rows.Length;
        OverFetched += (evictedBefore - _evicted) - 1;
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
        if (ResidentBytes <= _budget) return;
        var target = _budget - (_budget / 4);
        var segment = _oldest;
        while (segment is not null && ResidentBytes > target)
        {
            var newer = segment.Newer;
            if (segment.IsEvicted || segment.Count == 0)
            {
                // Nothing to write (an emptied segment holds no rows); it joins the list again when touched.
                Unlink(segment);
                segment = newer;
                continue;
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
                    // The rows stay in memory: over budget, but whole. Health reports it.
                    FailedEvictions++;
                    return;
                }
            }

            Unlink(segment);
            segment.MarkEvicted();
            _evicted++;
            Evictions++;
            if (_meters.Evictions.Enabled) _meters.Evictions.Add(1);
            segment = newer;
        }
    }
}
