namespace Ledger.Kernel;

/// <summary>Which ops produced each row ("tap a figure → the ops that sum to it"). An index outside the
/// state hash: it is rebuilt by replay and is empty for rows restored from a checkpoint.</summary>
/// <remarks>Without a state memory budget every entry stays in memory (one OpRef per write). Under a budget
/// (<see cref="KernelOptions.StateMemoryBudget"/>) each segment's provenance rides with it: written to the segment store
/// beside it when it is evicted, each record's hash kept, its bytes charged to the budget while in memory; a question
/// reads the segment's records back, verified (see docs/performance.md, "State memory budget").</remarks>
public sealed class ProvenanceIndex
{
    private readonly Dictionary<SegmentId, Dictionary<string, List<OpRef>>> _rows = new();
    private readonly ProvenanceSpill? _spill;

    /// <summary>An empty index held wholly in memory.</summary>
    public ProvenanceIndex()
    {
    }

    internal ProvenanceIndex(ProvenanceSpill spill)
    {
        _spill = spill;
    }

    internal ProvenanceSpill? Spill => _spill;

    /// <summary>The ops that wrote a row, in fold order.</summary>
    /// <exception cref="SegmentDamagedException">Under a budget: a record of the segment's provenance in the segment
    /// store is missing, failed or is not what was written (never an answer short of the ops it lost).</exception>
    public IReadOnlyList<OpRef> For(SegmentId segment, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_spill is not null) return _spill.For(segment, key);
        return _rows.TryGetValue(segment, out var rows) && rows.TryGetValue(key, out var ops) ? ops : [];
    }

    /// <summary>Every row an op wrote, as (segment, key). A scan of the whole index (under a budget, every record in
    /// the segment store is read back).</summary>
    /// <exception cref="SegmentDamagedException">Under a budget: a record in the segment store is missing, failed or changed.</exception>
    public IReadOnlyList<(SegmentId Segment, string Key)> RowsOf(OpRef op)
    {
        if (_spill is not null) return _spill.RowsOf(op);
        var found = new List<(SegmentId, string)>();
        foreach (var (segment, rows) in _rows.OrderBy(p => p.Key))
        {
            foreach (var key in rows.Keys.Order(Utf8Order.Instance))
            {
                if (rows[key].Contains(op)) found.Add((segment, key));
            }
        }

        return found;
    }

    internal void Add(SegmentId segment, string key, OpRef op)
    {
        if (_spill is not null)
        {
            _spill.Add(segment, key, op);
            return;
        }

        if (!_rows.TryGetValue(segment, out var rows))
        {
            rows = new Dictionary<string, List<OpRef>>(StringComparer.Ordinal);
            _rows.Add(segment, rows);
        }

        if (!rows.TryGetValue(key, out var ops))
        {
            ops = new List<OpRef>(2);
            rows.Add(key, ops);
        }

        if (ops.Count == 0 || ops[^1] != op) ops.Add(op);
    }
}
