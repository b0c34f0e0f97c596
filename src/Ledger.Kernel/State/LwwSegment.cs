using System.Text;
using Ledger.Kernel.Wire;

namespace Ledger.Kernel;

/// <summary>Shared last-writer-wins rows: each row keeps the value with the greatest stamp, and the
/// stamp, so later merges still commute. Encoded as [at, author, seq, value-bytes].</summary>
public sealed class LwwSegment : Segment
{
    private readonly Dictionary<string, (LwwStamp Stamp, byte[] Value)> _rows = new(StringComparer.Ordinal);

    internal LwwSegment(SegmentId id) : base(id, TableKind.LastWriterWins)
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

    /// <summary>The winning stamp and value bytes of a row.</summary>
    public bool TryGet(string key, out LwwStamp stamp, out byte[] value)
    {
        Touch();
        if (_rows.TryGetValue(key, out var row))
        {
            (stamp, value) = row;
            return true;
        }

        stamp = default;
        value = [];
        return false;
    }

    /// <inheritdoc />
    public override bool Contains(string key)
    {
        Touch();
        return _rows.ContainsKey(key);
    }

    internal IEnumerable<LwwStamp> Stamps
    {
        get
        {
            Touch();
            return _rows.Values.Select(r => r.Stamp).ToArray();
        }
    }

    private protected override long EstimateBytes() => _rows.Sum(r => RowBytes(r.Key, 48 + r.Value.Value.Length));

    internal void Offer(string key, LwwStamp stamp, byte[] value)
    {
        Touch();
        // An equal stamp can only come from the same op writing the row twice: the later write wins, as for
        // branch rows. Ops never share a stamp, so this stays order-independent.
        if (_rows.TryGetValue(key, out var current) && current.Stamp.CompareTo(stamp) > 0)
        {
            return;
        }

        Grow(_rows.TryGetValue(key, out var old) ? value.Length - old.Value.Length : RowBytes(key, 48 + value.Length));
        _rows[key] = (stamp, value);
        Invalidate();
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
        var (stamp, value) = _rows[key];
        var author = stamp.Author.Value;
        var authorLength = Encoding.UTF8.GetByteCount(author);
        var length = 1 + MsgPack.MaxIntLength + MsgPack.StrHeaderLength(authorLength) + authorLength + MsgPack.MaxIntLength
                     + MsgPack.BinHeaderLength(value.Length) + value.Length;
        Ensure(ref buffer, length);
        var at = MsgPack.WriteArrayHeader(buffer, 4);
        at += MsgPack.WriteInt(buffer.AsSpan(at), stamp.At);
        at += MsgPack.WriteStrHeader(buffer.AsSpan(at), authorLength);
        at += Encoding.UTF8.GetBytes(author, buffer.AsSpan(at));
        at += MsgPack.WriteUInt(buffer.AsSpan(at), stamp.Seq);
        at += MsgPack.WriteBinHeader(buffer.AsSpan(at), value.Length);
        value.CopyTo(buffer, at);
        return at + value.Length;
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
        var r = new WireReader(encoded, "lww row");
        r.ReadArrayHeader("row", 4, 4);
        var at = r.ReadInt64("at");
        var authorText = r.ReadString("author", AuthorId.MaxLength);
        if (!AuthorId.TryCreate(authorText, out var author))
        {
            throw r.Fail("author", FormatProblem.InvalidValue, 0, "not an author id.");
        }

        var seq = r.ReadUInt64("seq", 1);
        var value = r.ReadBinary("value", 0, CheckpointCodec.MaxRowBytes).ToArray();
        r.EnsureEnd();
        Grow(_rows.TryGetValue(key, out var old) ? value.Length - old.Value.Length : RowBytes(key, 48 + value.Length));
        _rows[key] = (new LwwStamp(at, author, seq), value);
        Invalidate();
        Canonical.RequireEqual("lww row", encoded.Span, EncodedValue(key)!, [("row", 0)]);
    }
}
