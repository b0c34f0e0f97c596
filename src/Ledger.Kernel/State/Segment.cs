using System.Text;

namespace Ledger.Kernel;

/// <summary>The rows of one table in one branch: a hash map (fast writes) sorted only when hashed, with
/// the segment hash cached until the next write.</summary>
public abstract class Segment
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("ledger/segment/v1");
    private Hash32? _hash;

    private protected Segment(SegmentId id, TableKind kind)
    {
        Id = id;
        Kind = kind;
    }

    /// <summary>Which table and branch.</summary>
    public SegmentId Id { get; }

    /// <summary>The table kind; it decides how values are encoded.</summary>
    public TableKind Kind { get; }

    /// <summary>Number of rows.</summary>
    public abstract int Count { get; }

    /// <summary>The row keys in canonical (UTF-8 byte) order.</summary>
    public string[] SortedKeys()
    {
        var keys = KeysUnordered();
        Utf8Order.Sort(keys);
        return keys;
    }

    /// <summary>The canonical encoded value of a row (see docs/wire-format.md, "Row values"), or null.</summary>
    public abstract byte[]? EncodedValue(string key);

    /// <summary>True when the row exists.</summary>
    public abstract bool Contains(string key);

    /// <summary>SHA-256("ledger/segment/v1" ‖ for each row in key order: u32 len ‖ key ‖ u32 len ‖ value).</summary>
    public Hash32 Hash => _hash ??= ComputeHash();

    internal void Invalidate() => _hash = null;

    private protected abstract string[] KeysUnordered();

    /// <summary>Writes the encoded value of <paramref name="key"/> into <paramref name="buffer"/> (growing it) and returns its length.</summary>
    private protected abstract int EncodeValue(string key, ref byte[] buffer);

    /// <summary>Restores one row from its canonical encoding (checkpoint import). Throws on bad bytes.</summary>
    internal abstract void Load(string key, ReadOnlyMemory<byte> encoded);

    private Hash32 ComputeHash()
    {
        var sorter = new CanonicalRowSorter();
        CollectRows(sorter);
        return sorter.SortAndHash(Domain);
    }

    /// <summary>Adds every row (key, canonical value) to <paramref name="sorter"/>, in any order.</summary>
    private protected abstract void CollectRows(CanonicalRowSorter sorter);

    private protected static void Ensure(ref byte[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new byte[Math.Max(length, buffer.Length * 2)];
    }

    internal static Segment Create(SegmentId id, TableKind kind) => kind switch
    {
        TableKind.Branch or TableKind.Claim or TableKind.Correction or TableKind.Reserved => new BytesSegment(id, kind),
        TableKind.Counter => new CounterSegment(id),
        TableKind.Max or TableKind.Min => new ExtremumSegment(id, kind),
        TableKind.Set => new SetSegment(id),
        TableKind.LastWriterWins => new LwwSegment(id),
        _ => throw Error.OutOfRange(nameof(kind), $"unknown table kind {(int)kind}."),
    };
}
