using System.Buffers.Binary;
using Ledger.Kernel.Wire;

namespace Ledger.Kernel;

/// <summary>Shared counter rows: 128-bit sums. A row exists once any add touched it, even if it sums to
/// zero, so the set of rows does not depend on the order of adds.</summary>
public sealed class CounterSegment : Segment
{
    private readonly Dictionary<string, Int128> _rows = new(StringComparer.Ordinal);

    internal CounterSegment(SegmentId id) : base(id, TableKind.Counter)
    {
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

    /// <summary>The sum of a row, or null when no add touched it.</summary>
    public Int128? Get(string key)
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

    internal void Add(string key, long delta)
    {
        Touch();
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_rows, key, out var existed);
        if (!existed) Grow(RowBytes(key, 16));
        slot = checked(slot + delta);
        Invalidate();
    }

    private protected override long EstimateBytes() => _rows.Keys.Sum(k => RowBytes(k, 16));

    /// <inheritdoc />
    public override byte[]? EncodedValue(string key) => EncodedRow(key, 18);

    private protected override string[] KeysUnordered()
    {
        Touch();
        return [.. _rows.Keys];
    }

    private protected override int EncodeValue(string key, ref byte[] buffer)
    {
        Ensure(ref buffer, 18);
        var value = _rows[key];
        if (value >= long.MinValue && value <= long.MaxValue)
        {
            return MsgPack.WriteInt(buffer, (long)value);
        }

        buffer[0] = 0xc4;
        buffer[1] = 16;
        BinaryPrimitives.WriteInt128BigEndian(buffer.AsSpan(2), value);
        return 18;
    }

    private protected override void CollectRows(CanonicalRowSorter sorter)
    {
        foreach (var (key, value) in _rows)
        {
            var buffer = sorter.ValueBuffer(18);
            if (value >= long.MinValue && value <= long.MaxValue)
            {
                sorter.Add(key, MsgPack.WriteInt(buffer, (long)value));
            }
            else
            {
                buffer[0] = 0xc4;
                buffer[1] = 16;
                BinaryPrimitives.WriteInt128BigEndian(buffer[2..], value);
                sorter.Add(key, 18);
            }
        }
    }

    internal override void Load(string key, ReadOnlyMemory<byte> encoded)
    {
        var r = new WireReader(encoded, "counter row");
        Int128 value;
        if (encoded.Length > 0 && encoded.Span[0] == 0xc4)
        {
            value = BinaryPrimitives.ReadInt128BigEndian(r.ReadBinary("value", 16, 16).Span);
        }
        else
        {
            value = r.ReadInt64("value");
        }

        r.EnsureEnd();
        if (!_rows.ContainsKey(key)) Grow(RowBytes(key, 16));
        _rows[key] = value;
        Invalidate();
        var canonical = EncodedValue(key)!;
        Canonical.RequireEqual("counter row", encoded.Span, canonical, [("value", 0)]);
    }
}
