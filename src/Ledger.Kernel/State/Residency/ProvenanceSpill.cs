using System.Buffers.Binary;
using System.Text;

namespace Ledger.Kernel;

/// <summary>Provenance under a state memory budget: which ops wrote each row, kept per segment as an in-memory tail
/// (the writes since the segment was last evicted) plus records in the segment store, each with its SHA-256 kept in
/// memory. The tail rides with its segment: when the residency evicts a segment, the tail is written beside it as one
/// more record and dropped from memory. Its bytes are charged to the budget while in memory, so a budgeted kernel
/// with provenance on stays under its budget like one without.</summary>
/// <remarks>
/// <para>Appends never read the store: a write to a row of an evicted segment adds to a fresh tail, so the cost of a
/// load does not grow with the provenance a segment gathered (a counter written by every op would otherwise be read
/// back whole on every touch). Records merge as Timsort merges runs (each merge reads two, verified, and writes one), so a
/// segment holds a number of records logarithmic in its writes, and every op is rewritten a logarithmic number of times.</para>
/// <para>A question (<see cref="For"/>, <see cref="RowsOf"/>) reads the segment's records, verifies each against its
/// kept hash and does not keep them: a missing, failed or changed record is a <see cref="SegmentDamagedException"/>
/// naming the record, never an answer short of the ops it lost. Answers are those of the unbudgeted index: the ops
/// that wrote a row in fold order (records oldest first, then the tail; an op's writes never straddle an eviction,
/// which runs only between kernel calls).</para>
/// <para>Deterministic: records are written in canonical key order, and nothing here reads a clock.</para>
/// </remarks>
internal sealed class ProvenanceSpill(ISegmentStore store)
{
    /// <summary>What each segment with provenance holds beyond its tail and records: its entry in the index (with the
    /// dictionary's slack), the object and its array of records (charged to the budget like
    /// <see cref="SegmentResidency.ShellBytes"/>).</summary>
    internal const long ShellBytes = 160;

    /// <summary>One record's descriptor in memory (its place, kept hash and op count: 48 bytes), charged while it exists.</summary>
    internal const long RecordBytes = 48;

    // The tail's estimate: per row, its dictionary entry with the dictionary's slack (48), its key string (24 + 2 per
    // char; the tail keeps the first op's copy), its list object (32) and array header (24); per op slot of a list, one
    // OpRef (an interned author reference and a seq). The B1 witness measures the heap against what is charged.
    private const long RowBytes = 128;
    private const long OpBytes = 16;

    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("ledger/provenance/v1");

    private readonly Dictionary<SegmentId, Rows> _segments = new();

    // Authors interned: an OpRef of a decoded op references its own copy of the author's text, which a tail would keep
    // alive once per op; the authors of a ledger are few.
    private readonly Dictionary<AuthorId, AuthorId> _authors = new();
    private AuthorId _lastAuthor;

    /// <summary>The bytes charged to the budget: tails, record descriptors and shells.</summary>
    public long Bytes { get; private set; }

    /// <summary>Records written (tails spilled and merges).</summary>
    public long RecordsWritten { get; private set; }

    /// <summary>Spills or merges the store could not take (the tail stayed in memory: over budget, but whole).</summary>
    public long FailedWrites { get; private set; }

    public void Add(SegmentId segment, string key, OpRef op)
    {
        if (!_segments.TryGetValue(segment, out var rows))
        {
            rows = new Rows();
            _segments.Add(segment, rows);
            Bytes += ShellBytes;
        }

        var tail = rows.Tail ??= new Dictionary<string, List<OpRef>>(StringComparer.Ordinal);
        if (!tail.TryGetValue(key, out var ops))
        {
            ops = new List<OpRef>(2);
            tail.Add(key, ops);
            Charge(rows, RowBytes + (2L * key.Length) + (2 * OpBytes));
        }

        if (ops.Count > 0 && ops[^1] == op) return;
        var capacity = ops.Capacity;
        ops.Add(new OpRef(Intern(op.Author), op.Seq));
        if (ops.Capacity != capacity) Charge(rows, (ops.Capacity - capacity) * OpBytes);
        rows.TailOps++;
    }

    private AuthorId Intern(AuthorId author)
    {
        if (!_lastAuthor.IsDefault && ReferenceEquals(_lastAuthor.Value, author.Value)) return _lastAuthor;
        if (!_authors.TryGetValue(author, out var interned)) _authors.Add(author, interned = author);
        _lastAuthor = interned;
        return interned;
    }

    private void Charge(Rows rows, long bytes)
    {
        rows.TailBytes += bytes;
        Bytes += bytes;
    }

    /// <summary>Writes the segment's tail to the store as one more record (then merges records as needed) and drops
    /// it from memory; false when the store failed (the tail stays).</summary>
    public bool Spill(SegmentId segment)
    {
        if (!_segments.TryGetValue(segment, out var rows) || rows.Tail is not { } tail) return true;
        Record record;
        try
        {
            record = Write(segment, rows, tail, rows.TailOps);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            FailedWrites++;
            return false;
        }

        rows.Records = [.. rows.Records, record];
        Bytes += RecordBytes - rows.TailBytes;
        rows.Tail = null;
        rows.TailBytes = 0;
        rows.TailOps = 0;
        Merge(segment, rows);
        return true;
    }

    // Merges adjacent records as Timsort merges runs: while a record holds no more ops than the one after it, or than
    // the two after it together, it is merged with its smaller neighbour. Record sizes then grow at least like the
    // Fibonacci numbers from newest to oldest (a segment keeps about 1.44·log2 of its writes in records), and a run of
    // equal spills merges like a binary counter (each op rewritten about log2 times). A damaged record or a failed
    // write ends the merging (the records stay as they are; the damage is reported when a question reads the record).
    private void Merge(SegmentId segment, Rows rows)
    {
        while (rows.Records.Length > 1)
        {
            var r = rows.Records;
            var k = r.Length - 2;
            if ((k > 0 && r[k - 1].Ops <= r[k].Ops + r[k + 1].Ops) || (k > 1 && r[k - 2].Ops <= r[k - 1].Ops + r[k].Ops))
            {
                if (r[k - 1].Ops < r[k + 1].Ops) k--;
            }
            else if (r[k].Ops > r[k + 1].Ops)
            {
                return;
            }

            if (!MergeAt(segment, rows, k)) return;
        }
    }

    // Merges records k and k + 1 (older first) into one, written to a free place before the two are dropped.
    private bool MergeAt(SegmentId segment, Rows rows, int k)
    {
        var older = rows.Records[k];
        var newer = rows.Records[k + 1];
        Record merged;
        try
        {
            var all = new Dictionary<string, List<OpRef>>(StringComparer.Ordinal);
            Parse(ChunkId(segment, older.Slot), Read(segment, older), all);
            Parse(ChunkId(segment, newer.Slot), Read(segment, newer), all);
            merged = Write(segment, rows, all, older.Ops + newer.Ops);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (e is not SegmentDamagedException) FailedWrites++;
            return false;
        }

        var records = new Record[rows.Records.Length - 1];
        Array.Copy(rows.Records, records, k);
        records[k] = merged;
        Array.Copy(rows.Records, k + 2, records, k + 1, rows.Records.Length - k - 2);
        rows.Records = records;
        Bytes -= RecordBytes;
        return true;
    }

    private Record Write(SegmentId segment, Rows rows, Dictionary<string, List<OpRef>> ops, long count)
    {
        var bytes = Encode(ops);
        var hash = HashOf(bytes);
        var slot = FreeSlot(rows);
        store.Write(ChunkId(segment, slot), hash, bytes);
        RecordsWritten++;
        return new Record(slot, hash, count);
    }

    // The smallest place no record of the segment holds: a merge writes to a third place before it drops the two it
    // merged, and places are reused, so the store holds a bounded number of records per segment.
    private static int FreeSlot(Rows rows)
    {
        for (var slot = 0; ; slot++)
        {
            var used = false;
            foreach (var r in rows.Records) used |= r.Slot == slot;
            if (!used) return slot;
        }
    }

    /// <summary>The ops that wrote a row, in fold order.</summary>
    /// <exception cref="SegmentDamagedException">A record of the segment's provenance is missing, failed or changed.</exception>
    public IReadOnlyList<OpRef> For(SegmentId segment, string key)
    {
        if (!_segments.TryGetValue(segment, out var rows)) return [];
        var found = new List<OpRef>();
        foreach (var record in rows.Records)
        {
            var id = ChunkId(segment, record.Slot);
            Parse(id, Read(segment, record), null, key, found);
        }

        if (rows.Tail is { } tail && tail.TryGetValue(key, out var ops)) found.AddRange(ops);
        return found;
    }

    /// <summary>Every row an op wrote, as (segment, key), in canonical order.</summary>
    /// <exception cref="SegmentDamagedException">A record of some segment's provenance is missing, failed or changed.</exception>
    public IReadOnlyList<(SegmentId Segment, string Key)> RowsOf(OpRef op)
    {
        var found = new List<(SegmentId, string)>();
        foreach (var (segment, rows) in _segments.OrderBy(p => p.Key))
        {
            var all = new Dictionary<string, List<OpRef>>(StringComparer.Ordinal);
            foreach (var record in rows.Records) Parse(ChunkId(segment, record.Slot), Read(segment, record), all);
            if (rows.Tail is { } tail)
            {
                foreach (var (key, ops) in tail)
                {
                    if (all.TryGetValue(key, out var list)) list.AddRange(ops);
                    else all.Add(key, [.. ops]);
                }
            }

            foreach (var key in all.Keys.Order(Utf8Order.Instance))
            {
                if (all[key].Contains(op)) found.Add((segment, key));
            }
        }

        return found;
    }

    /// <summary>The store id of a segment's provenance record: not a table name ('#' is in no table name, and '$' only
    /// in the kernel's), so it never collides with a state segment or a page of chain hashes.</summary>
    internal static SegmentId ChunkId(SegmentId segment, int slot) =>
        new("$prov#" + slot.ToString(System.Globalization.CultureInfo.InvariantCulture) + "#" + segment.Table, segment.Branch);

    /// <summary>The store ids of a segment's provenance records, oldest first (tests damage them).</summary>
    internal IReadOnlyList<SegmentId> RecordIds(SegmentId segment) =>
        _segments.TryGetValue(segment, out var rows) ? rows.Records.Select(r => ChunkId(segment, r.Slot)).ToArray() : [];

    private byte[] Read(SegmentId segment, Record record)
    {
        var id = ChunkId(segment, record.Slot);
        byte[]? bytes;
        try
        {
            bytes = store.Read(id);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Error.SegmentDamaged(id, $"the segment store failed reading the provenance of {segment} ({e.GetType().Name}: {e.Message}).", e);
        }

        if (bytes is null) throw Error.SegmentDamaged(id, $"the segment store does not hold this record of the provenance of {segment}.");
        var hash = HashOf(bytes);
        if (hash != record.Hash)
        {
            throw Error.SegmentDamaged(id, $"this record of the provenance of {segment} hashes to {hash}, the kernel kept {record.Hash}.");
        }

        return bytes;
    }

    // SHA-256(domain ‖ record), as a segment's rows are hashed.
    private static Hash32 HashOf(byte[] bytes) => CanonicalRowSorter.HashRows(Domain, bytes);

    // A record: u32 authors, each u8 length ‖ ASCII id (in order of first use); u32 rows, each in canonical key order
    // u32 chars ‖ the key's UTF-16 code units ‖ u32 ops ‖ per op (fold order) u32 author index ‖ u64 seq. Big-endian.
    // Code units, not UTF-8: any key a verb wrote (a lone surrogate too) comes back exactly, and no key can make a
    // spill fail (which would keep the tail, and stop the eviction round, for good).
    private static byte[] Encode(Dictionary<string, List<OpRef>> rows)
    {
        var keys = rows.Keys.ToArray();
        Utf8Order.Sort(keys);
        var authors = new Dictionary<AuthorId, int>();
        var authorOrder = new List<AuthorId>();
        long size = 8;
        foreach (var key in keys)
        {
            size += 8 + (2L * key.Length) + (12L * rows[key].Count);
            foreach (var op in rows[key])
            {
                if (authors.TryAdd(op.Author, authorOrder.Count))
                {
                    authorOrder.Add(op.Author);
                    size += 1 + op.Author.Value.Length;
                }
            }
        }

        if (size > Array.MaxLength) throw Error.InvalidOperation($"a provenance record of {size} bytes is too large to write.");
        var bytes = new byte[size];
        var at = 0;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)authorOrder.Count);
        at += 4;
        foreach (var author in authorOrder)
        {
            bytes[at++] = (byte)author.Value.Length;
            at += Encoding.ASCII.GetBytes(author.Value, bytes.AsSpan(at));
        }

        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)keys.Length);
        at += 4;
        foreach (var key in keys)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)key.Length);
            at += 4;
            foreach (var c in key)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), c);
                at += 2;
            }

            var ops = rows[key];
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)ops.Count);
            at += 4;
            foreach (var op in ops)
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)authors[op.Author]);
                BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(at + 4), op.Seq);
                at += 12;
            }
        }

        return bytes;
    }

    private void Parse(SegmentId id, byte[] bytes, Dictionary<string, List<OpRef>> into) => Parse(id, bytes, into, null, null);

    /// <summary>Reads a record (verified against its hash already; still parsed defensively): every row's ops appended
    /// to <paramref name="into"/>, or only <paramref name="key"/>'s to <paramref name="found"/>.</summary>
    private void Parse(SegmentId id, byte[] bytes, Dictionary<string, List<OpRef>>? into, string? key, List<OpRef>? found)
    {
        var span = bytes.AsSpan();
        var at = 0;
        var authorCount = ReadU32(id, span, ref at, "author count");
        if (authorCount > span.Length) throw Damaged(id, at - 4, $"author count {authorCount} is out of range");
        var authors = new AuthorId[authorCount];
        for (var i = 0; i < authors.Length; i++)
        {
            if (at >= span.Length) throw Damaged(id, at, "author length runs past the end");
            var length = span[at++];
            if (length > span.Length - at) throw Damaged(id, at, "author runs past the end");
            if (!AuthorId.TryCreate(Encoding.ASCII.GetString(span.Slice(at, length)), out var author)) throw Damaged(id, at, "author is not an author id");
            authors[i] = Intern(author);
            at += length;
        }

        var rowCount = ReadU32(id, span, ref at, "row count");
        for (var r = 0L; r < rowCount; r++)
        {
            var keyChars = ReadU32(id, span, ref at, "key length");
            if (keyChars > (span.Length - at) / 2) throw Damaged(id, at, "key runs past the end");
            var rowKey = string.Create((int)keyChars, bytes[at..(at + (2 * (int)keyChars))], static (chars, units) =>
            {
                for (var i = 0; i < chars.Length; i++) chars[i] = (char)BinaryPrimitives.ReadUInt16BigEndian(units.AsSpan(2 * i));
            });
            at += 2 * (int)keyChars;
            var opCount = ReadU32(id, span, ref at, "op count");
            if (opCount > (span.Length - at) / 12) throw Damaged(id, at - 4, $"{opCount} ops run past the end");
            List<OpRef>? list = null;
            if (into is not null)
            {
                if (!into.TryGetValue(rowKey, out list)) into.Add(rowKey, list = new List<OpRef>((int)opCount));
            }
            else if (string.Equals(rowKey, key, StringComparison.Ordinal))
            {
                list = found;
            }
            for (var i = 0; i < opCount; i++)
            {
                var author = BinaryPrimitives.ReadUInt32BigEndian(span[at..]);
                if (author >= (uint)authors.Length) throw Damaged(id, at, $"author index {author} is out of range");
                list?.Add(new OpRef(authors[author], BinaryPrimitives.ReadUInt64BigEndian(span[(at + 4)..])));
                at += 12;
            }
        }

        if (at != span.Length) throw Damaged(id, at, "bytes after the last row");
    }

    private static uint ReadU32(SegmentId id, ReadOnlySpan<byte> span, ref int at, string what)
    {
        if (span.Length - at < 4) throw Damaged(id, at, $"{what} runs past the end");
        var n = BinaryPrimitives.ReadUInt32BigEndian(span[at..]);
        at += 4;
        return n;
    }

    private static SegmentDamagedException Damaged(SegmentId id, int offset, string what) =>
        Error.SegmentDamaged(id, $"the provenance record does not decode: {what} at byte {offset}.");

    private readonly record struct Record(int Slot, Hash32 Hash, long Ops);

    private sealed class Rows
    {
        public Dictionary<string, List<OpRef>>? Tail { get; set; }

        public long TailBytes { get; set; }

        public long TailOps { get; set; }

        // Exactly as long as the records (a segment keeps few; replaced when one is added or two merge).
        public Record[] Records { get; set; } = [];
    }
}
