namespace Ledger.Kernel;

/// <summary>A segment store in memory (tests, and a default that bounds nothing but exercises eviction): evicted rows
/// are held as one byte array per segment instead of as dictionaries.</summary>
public sealed class InMemorySegmentStore : ISegmentStore
{
    private readonly Dictionary<SegmentId, byte[]> _rows = new();

    /// <summary>Number of entries held (segments, and the kernel's chain pages and provenance records).</summary>
    public int Count => _rows.Count;

    /// <summary>Bytes held.</summary>
    public long Bytes => _rows.Values.Sum(r => (long)r.Length);

    /// <inheritdoc />
    public void Write(SegmentId id, Hash32 hash, ReadOnlyMemory<byte> rows) => _rows[id] = rows.ToArray();

    /// <inheritdoc />
    public byte[]? Read(SegmentId id) => _rows.TryGetValue(id, out var rows) ? rows : null;

    /// <summary>Changes the stored bytes of a segment (tests: a damaged store).</summary>
    public bool Tamper(SegmentId id, Func<byte[], byte[]> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!_rows.TryGetValue(id, out var rows)) return false;
        _rows[id] = change(rows.ToArray());
        return true;
    }
}
