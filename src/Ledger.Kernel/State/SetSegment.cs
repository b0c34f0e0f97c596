using System.Text;
using Ledger.Kernel.Wire;

namespace Ledger.Kernel;

/// <summary>Shared grow-only set rows: each row is a set of strings, encoded as an array sorted by UTF-8 bytes.</summary>
public sealed class SetSegment : Segment
{
    /// <summary>The most elements a set row read from a checkpoint may hold. The fold itself sets no cap (a cap
    /// would make refusals order-dependent); this bounds only what untrusted bytes can make a reader allocate.</summary>
    public const int MaxElements = 1 << 24;

    private readonly Dictionary<string, HashSet<string>> _rows = new(StringComparer.Ordinal);

    internal SetSegment(SegmentId id) : base(id, TableKind.Set)
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

    /// <summary>The elements of a row in canonical order, or an empty array.</summary>
    public string[] Get(string key)
    {
        Touch();
        if (!_rows.TryGetValue(key, out var set)) return [];
        var elements = set.ToArray();
        Array.Sort(elements, Utf8Order.Instance);
        return elements;
    }

    /// <inheritdoc />
    public override bool Contains(string key)
    {
        Touch();
        return _rows.ContainsKey(key);
    }

    internal void Add(string key, string element)
    {
        Touch();
        if (!_rows.TryGetValue(key, out var set))
        {
            set = new HashSet<string>(StringComparer.Ordinal);
            _rows[key] = set;
            Grow(RowBytes(key, 64));
        }

        if (set.Add(element))
        {
            Grow(ElementBytes(element));
            Invalidate();
        }
    }

    private static long ElementBytes(string element) => 48 + (2L * element.Length);

    private protected override long EstimateBytes() => _rows.Sum(r => RowBytes(r.Key, 64) + r.Value.Sum(ElementBytes));

    internal bool WouldOverflow(string key, string element)
    {
        Touch();
        return _rows.TryGetValue(key, out var set) && set.Count >= MaxElements && !set.Contains(element);
    }

    /// <inheritdoc />
    public override byte[]? EncodedValue(string key) => EncodedRow(key, 64);

    private protected override string[] KeysUnordered()
    {
        Touch();
        return [.. _rows.Keys];
    }

    private protected override int EncodeValue(string key, ref byte[] buffer)
    {
        var elements = Get(key);
        var length = MsgPack.ArrayHeaderLength(elements.Length);
        foreach (var e in elements)
        {
            var n = Encoding.UTF8.GetByteCount(e);
            length += MsgPack.StrHeaderLength(n) + n;
        }

        Ensure(ref buffer, length);
        var at = MsgPack.WriteArrayHeader(buffer, elements.Length);
        foreach (var e in elements)
        {
            var n = Encoding.UTF8.GetByteCount(e);
            at += MsgPack.WriteStrHeader(buffer.AsSpan(at), n);
            at += Encoding.UTF8.GetBytes(e, buffer.AsSpan(at));
        }

        return at;
    }

    private protected override void CollectRows(CanonicalRowSorter sorter)
    {
        var buffer = new byte[64];
        foreach (var key in _rows.Keys)
        {
            var n = EncodeValue(key, ref buffer);
            sorter.Add(key, buffer.AsSpan(0, n));
        }
    }

    internal override void Load(string key, ReadOnlyMemory<byte> encoded)
    {
        var r = new WireReader(encoded, "set row");
        var count = r.ReadArrayHeader("elements", 0, MaxElements);
        var set = new HashSet<string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            set.Add(r.ReadString("element", RowKey.MaxBytes));
        }

        r.EnsureEnd();
        if (_rows.TryGetValue(key, out var old)) Grow(-RowBytes(key, 64) - old.Sum(ElementBytes));
        Grow(RowBytes(key, 64) + set.Sum(ElementBytes));
        _rows[key] = set;
        Invalidate();
        Canonical.RequireEqual("set row", encoded.Span, EncodedValue(key)!, [("elements", 0)]);
    }
}
