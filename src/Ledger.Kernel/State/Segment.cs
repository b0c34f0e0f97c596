using System.Text;

namespace Ledger.Kernel;

/// <summary>The rows of one table in one branch: a hash map (fast writes) sorted only when hashed, with
/// the segment hash cached until the next write.</summary>
public abstract class Segment
{
    internal static readonly byte[] Domain = Encoding.ASCII.GetBytes("ledger/segment/v1");
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private Hash32? _hash;

    // Residency (see SegmentResidency): an evicted segment keeps its id, kind, row count and hash; its rows live in
    // the segment store until a read or write touches it, which loads exactly this segment back.
    private SegmentResidency? _residency;
    private bool _evicted;
    private int _evictedCount;

    /// <summary>An estimate of the managed bytes the rows hold (0 while evicted).</summary>
    internal long ResidentBytes { get; private set; }

    /// <summary>Neighbours in the residency's recency list (most recently touched first); null at the ends and when not
    /// listed.</summary>
    internal Segment? Newer { get; set; }

    /// <inheritdoc cref="Newer"/>
    internal Segment? Older { get; set; }

    /// <summary>The residency's recency list the segment is in (probation or protected), or null.</summary>
    internal SegmentResidency.RecencyList? InList { get; set; }

    /// <summary>The hash of the rows the segment store holds for this segment (written by this kernel, or loaded from
    /// it and verified), or null when the store holds none: a segment whose hash still equals it is clean, and its
    /// eviction writes nothing.</summary>
    internal Hash32? StoredHash { get; set; }

    /// <summary>True while the rows are in the segment store, not in memory.</summary>
    public bool IsEvicted => _evicted;

    private protected Segment(SegmentId id, TableKind kind)
    {
        Id = id;
        Kind = kind;
    }

    /// <summary>Which table and branch.</summary>
    public SegmentId Id { get; }

    /// <summary>The table kind; it decides how values are encoded.</summary>
    public TableKind Kind { get; }

    /// <summary>Number of rows (known without loading an evicted segment).</summary>
    public abstract int Count { get; }

    /// <summary>The row count kept while evicted.</summary>
    private protected int EvictedCount => _evictedCount;

    /// <summary>Number of rows held in memory.</summary>
    private protected abstract int RowCount { get; }

    /// <summary>The row keys in canonical (UTF-8 byte) order.</summary>
    public string[] SortedKeys()
    {
        Touch();
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

    /// <summary>The cached hash, or null when a write since the last hash invalidated it.</summary>
    internal Hash32? CachedHash => _hash;

    internal void Attach(SegmentResidency residency)
    {
        _residency = residency;
        residency.Added();
    }

    /// <summary>Loads the rows back when the segment is evicted and records the touch. Every row accessor calls it
    /// first, so a touch loads exactly the segment touched.</summary>
    private protected void Touch()
    {
        if (_residency is { } residency) residency.Touched(this);
    }

    /// <summary>Accounts <paramref name="bytes"/> more (or fewer) resident bytes.</summary>
    private protected void Grow(long bytes)
    {
        ResidentBytes += bytes;
        _residency?.Grew(this, bytes);
    }

    /// <summary>The resident-bytes estimate of one row: the dictionary entry, the key string and the value.</summary>
    private protected static long RowBytes(string key, int valueBytes) => 96 + (2L * key.Length) + valueBytes;

    /// <summary>The rows in canonical order as the segment hash's preimage (u32 len ‖ key ‖ u32 len ‖ value per row),
    /// and the hash; caches the hash. For eviction: no touch (writing a segment out is not a use of it), and one sorter
    /// serves every segment of an eviction round.</summary>
    internal (Hash32 Hash, byte[] Rows) SerializeResident(CanonicalRowSorter sorter)
    {
        sorter.Clear();
        CollectRows(sorter);
        var (hash, rows) = sorter.SortAndWrite(Domain);
        _hash = hash;
        return (hash, rows);
    }

    /// <summary>Drops the rows from memory (they are in the segment store); the hash and count are kept.</summary>
    internal void MarkEvicted()
    {
        var hash = Hash;
        _evictedCount = RowCount;
        ClearRows();
        _evicted = true;
        _hash = hash;
        Grow(-ResidentBytes);
    }

    /// <summary>Loads rows that hashed to the kept hash back; throws <see cref="SegmentDamagedException"/> on any problem
    /// (the segment stays evicted).</summary>
    internal void LoadEvicted(ReadOnlyMemory<byte> rows)
    {
        var kept = _hash!.Value;
        _evicted = false;
        var residency = _residency;
        _residency = null; // loading must not re-enter residency (touches, accounting happen once below)
        try
        {
            var span = rows.Span;
            Reserve(_evictedCount);
            var at = 0;
            string? previous = null;
            while (at < span.Length)
            {
                var keyLength = ReadLength(span, ref at, "key length");
                var key = ReadKey(span, ref at, keyLength);
                if (previous is not null && Utf8Order.Instance.Compare(previous, key) >= 0) throw Damaged(at, "rows out of canonical order");
                var valueLength = ReadLength(span, ref at, "value length");
                if (valueLength > span.Length - at) throw Damaged(at, "value runs past the end");
                Load(key, rows.Slice(at, valueLength));
                at += valueLength;
                previous = key;
            }

            if (RowCount != _evictedCount) throw Damaged(at, $"{RowCount} rows where {_evictedCount} were evicted");
        }
        catch (Exception e) when (e is LedgerException and not SegmentDamagedException)
        {
            BackToEvicted(kept, residency);
            throw Error.SegmentDamaged(Id, $"a row does not decode: {e.Message}", e);
        }
        catch
        {
            BackToEvicted(kept, residency);
            throw;
        }

        _hash = kept;
        _residency = residency;
        ResidentBytes = 0;
        var bytes = EstimateBytes();
        Grow(bytes);
    }

    /// <summary>The rows in canonical order with their canonical values (what a checkpoint holds). An evicted segment's
    /// rows are read from the segment store and verified against the kept hash without loading the segment: its bytes
    /// are already in canonical order, and a pass over every segment leaves what is resident as it was.</summary>
    /// <exception cref="SegmentDamagedException">The stored rows are missing or are not what was evicted.</exception>
    internal KeyValuePair<string, byte[]>[] CanonicalRows()
    {
        if (!_evicted || _residency is not { } residency)
        {
            return SortedKeys().Select(k => new KeyValuePair<string, byte[]>(k, EncodedValue(k)!)).ToArray();
        }

        var bytes = residency.ReadVerified(this);
        try
        {
            return ParseRows(bytes);
        }
        catch (SegmentDamagedException e)
        {
            throw residency.FailRead(e);
        }
    }

    private KeyValuePair<string, byte[]>[] ParseRows(ReadOnlySpan<byte> span)
    {
        var rows = new KeyValuePair<string, byte[]>[_evictedCount];
        var at = 0;
        var n = 0;
        while (at < span.Length)
        {
            if (n == rows.Length) throw Damaged(at, $"more than the {_evictedCount} rows evicted");
            var keyLength = ReadLength(span, ref at, "key length");
            var key = ReadKey(span, ref at, keyLength);
            var valueLength = ReadLength(span, ref at, "value length");
            if (valueLength > span.Length - at) throw Damaged(at, "value runs past the end");
            rows[n++] = new KeyValuePair<string, byte[]>(key, span.Slice(at, valueLength).ToArray());
            at += valueLength;
        }

        if (n != rows.Length) throw Damaged(at, $"{n} rows where {_evictedCount} were evicted");
        return rows;
    }

    private void BackToEvicted(Hash32 kept, SegmentResidency? residency)
    {
        ClearRows();
        _evicted = true;
        _hash = kept;
        ResidentBytes = 0;
        _residency = residency;
    }

    private SegmentDamagedException Damaged(int offset, string what) => new(Id, $"{what} at byte {offset}");

    private int ReadLength(ReadOnlySpan<byte> span, ref int at, string what)
    {
        if (span.Length - at < 4) throw Damaged(at, $"{what} runs past the end");
        var n = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span[at..]);
        at += 4;
        if (n > int.MaxValue) throw Damaged(at - 4, $"{what} {n} is out of range");
        return (int)n;
    }

    private string ReadKey(ReadOnlySpan<byte> span, ref int at, int length)
    {
        if (length > span.Length - at) throw Damaged(at, "key runs past the end");
        string key;
        try
        {
            key = new UTF8Encoding(false, true).GetString(span.Slice(at, length));
        }
        catch (DecoderFallbackException)
        {
            throw Damaged(at, "key is not UTF-8");
        }

        at += length;
        return key;
    }

    /// <summary>The resident-bytes estimate of every row held (after a load).</summary>
    private protected abstract long EstimateBytes();

    /// <summary>Makes room for <paramref name="rows"/> rows at once (a load knows the count: no rehash as it fills).</summary>
    private protected abstract void Reserve(int rows);

    /// <summary>Drops every row from memory.</summary>
    private protected abstract void ClearRows();

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

    /// <summary>The canonical value of a row through <see cref="EncodeValue"/>, or null when the row is absent: one body
    /// for the segments whose <see cref="EncodedValue"/> is just that, from a buffer of <paramref name="likelyBytes"/>
    /// (EncodeValue grows it for a larger row).</summary>
    private protected byte[]? EncodedRow(string key, int likelyBytes)
    {
        if (!Contains(key)) return null;
        var buffer = new byte[likelyBytes];
        var n = EncodeValue(key, ref buffer);
        return buffer[..n];
    }

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
