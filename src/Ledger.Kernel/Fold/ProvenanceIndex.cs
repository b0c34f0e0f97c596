namespace Ledger.Kernel;

/// <summary>Which ops produced each row ("tap a figure → the ops that sum to it"). An index outside the
/// state hash: it is rebuilt by replay and is empty for rows restored from a checkpoint.</summary>
public sealed class ProvenanceIndex
{
    private readonly Dictionary<SegmentId, Dictionary<string, List<OpRef>>> _rows = new();

    /// <summary>The ops that wrote a row, in fold order.</summary>
    public IReadOnlyList<OpRef> For(SegmentId segment, string key) =>
        _rows.TryGetValue(segment, out var rows) && rows.TryGetValue(key, out var ops) ? ops : [];

    /// <summary>Every row an op wrote, as (segment, key).</summary>
    public IReadOnlyList<(SegmentId Segment, string Key)> RowsOf(OpRef op)
    {
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
