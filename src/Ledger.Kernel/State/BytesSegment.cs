using Ledger.Kernel.Wire;

namespace Ledger.Kernel;

/// <summary>Rows whose values are MessagePack bytes written by verbs (branch, claim, correction and
/// reserved tables). The stored bytes are the canonical value.</summary>
public sealed class BytesSegment : Segment
{
    private readonly Dictionary<string, byte[]> _rows = new(StringComparer.Ordinal);

    internal BytesSegment(SegmentId id, TableKind kind) : base(id, kind)
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

    /// <summary>The value bytes of a row, or null.</summary>
    public byte[]? Get(string key)
    {
        Touch();
        return _rows.GetValueOrDefault(key);
    }

    /// <inheritdoc />
    public override byte[]? EncodedValue(string key) => Get(key);

    /// <inheritdoc />
    public override bool Contains(string key)
    {
        Touch();
        return _rows.ContainsKey(key);
    }

    internal void Put(string key, byte[] value)
    {
        Touch();
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_rows, key, out var existed);
        Grow(existed ? value.Length - slot!.Length : RowBytes(key, value.Length));
        slot = value;
        Invalidate();
    }

    internal bool Remove(string key)
    {
        Touch();
        if (!_rows.Remove(key, out var old)) return false;
        Grow(-RowBytes(key, old.Length));
        Invalidate();
        return true;
    }

    private protected override long EstimateBytes() => _rows.Sum(r => RowBytes(r.Key, r.Value.Length));

    private protected override string[] KeysUnordered()
    {
        Touch();
        return [.. _rows.Keys];
    }

    private protected override int EncodeValue(string key, ref byte[] buffer)
    {
        var value = _rows[key];
        Ensure(ref buffer, value.Length);
        value.CopyTo(buffer, 0);
        return value.Length;
    }

    private protected override void CollectRows(CanonicalRowSorter sorter)
    {
        foreach (var (key, value) in _rows) sorter.Add(key, value);
    }

    internal override void Load(string key, ReadOnlyMemory<byte> encoded)
    {
        var r = new WireReader(encoded, "row");
        r.Skip("value");
        r.EnsureEnd();
        Put(key, encoded.ToArray());
    }
}
