using Ledger.Kernel.Wire;

namespace Ledger.Kernel;

/// <summary>Shared Max or Min rows: 64-bit values where the greater (Max) or smaller (Min) wins.</summary>
public sealed class ExtremumSegment : Segment
{
    private readonly Dictionary<string, long> _rows = new(StringComparer.Ordinal);
    private readonly bool _isMax;

    internal ExtremumSegment(SegmentId id, TableKind kind) : base(id, kind)
    {
        _isMax = kind == TableKind.Max;
    }

    /// <inheritdoc />
    public override int Count => IsEvicted ? EvictedCount : _rows.Count;

    private protected override int RowCount => _rows.Count;

    private protected override void Reserve(int rows) => _rows.EnsureCapacity(rows);

    private protected override void ClearRows()
    {
        _rows.Clear();
        _rows.TrimExcess();
    }

    /// <summary>The value of a row, or null.</summary>
    public long? Get(string key)
    {
        Touch();
        return _rows.TryGetValue(key, out var v) ? v : null;
    }

    /// <inheritdoc />
    public override bool Contains(string key)
    {
        Touch();
        return _rows.ContainsKey(key);
    }

    private protected override long EstimateBytes() => _rows.Keys.Sum(k => RowBytes(k, 8));

    internal void Offer(string key, long value)
    {
        Touch();
        if (_rows.TryGetValue(key, out var current) && (_isMax ? current >= value : current <= value))
        {
            return;
        }

        if (!_rows.ContainsKey(key)) Grow(RowBytes(key, 8));
        _rows[key] = value;
        Invalidate();
    }

    /// <inheritdoc />
    public override byte[]? EncodedValue(string key)
    {
        Touch();
        if (!_rows.TryGetValue(key, out var v)) return null;
        var buffer = new byte[MsgPack.MaxIntLength];
        return buffer[..MsgPack.WriteInt(buffer, v)];
    }

    private protected override string[] KeysUnordered()
    {
        Touch();
        return [.. _rows.Keys];
    }

    private protected override int EncodeValue(string key, ref byte[] buffer)
    {
        Ensure(ref buffer, MsgPack.MaxIntLength);
        return MsgPack.WriteInt(buffer, _rows[key]);
    }

    private protected override void CollectRows(CanonicalRowSorter sorter)
    {
        foreach (var (key, value) in _rows) sorter.Add(key, MsgPack.WriteInt(sorter.ValueBuffer(MsgPack.MaxIntLength), value));
    }

    internal override void Load(string key, ReadOnlyMemory<byte> encoded)
    {
        var r = new WireReader(encoded, "extremum row");
        var value = r.ReadInt64("value");
        r.EnsureEnd();
        if (!_rows.ContainsKey(key)) Grow(RowBytes(key, 8));
        _rows[key] = value;
        Invalidate();
        Canonical.RequireEqual("extremum row", encoded.Span, EncodedValue(key)!, [("value", 0)]);
    }
}
