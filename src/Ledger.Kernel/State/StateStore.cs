using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Kernel;

/// <summary>The state the kernel owns: tables of rows keyed by (table, branch, key). Writes go only
/// through the fold; readers (projections, UIs) use the typed getters.</summary>
/// <remarks>The state hash is SHA-256("ledger/state/v1" ‖ for each non-empty segment in (table, branch)
/// order: u32 len ‖ table ‖ u32 len ‖ branch ‖ segment hash). Segment hashes are cached until the
/// segment is written, so re-hashing after a few writes costs only the touched segments.</remarks>
public sealed class StateStore
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("ledger/state/v1");
    private readonly Dictionary<SegmentId, Segment> _segments = new();

    // Fast paths for the fold: global segments by table handle, branch segments by branch then handle.
    // Handles are compared by reference (cheap); two handles of one table resolve to the same segment.
    private readonly Dictionary<Table, Segment> _globalByHandle = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Dictionary<Table, Segment>> _branchByHandle = new(StringComparer.Ordinal);
    private SegmentId[]? _order;
    private readonly SegmentResidency? _residency;

    /// <summary>An empty state that keeps every row in memory.</summary>
    public StateStore()
    {
    }

    internal StateStore(SegmentResidency? residency)
    {
        _residency = residency;
    }

    internal SegmentResidency? Residency => _residency;

    /// <summary>How the rows sit in memory: resident bytes against the budget, evictions and loads.</summary>
    public StateMemoryReport Memory()
    {
        var evicted = _residency?.EvictedSegments ?? 0;
        var resident = _segments.Values.Count(s => !s.IsEvicted && s.Count > 0);
        return _residency is { } r
            ? new StateMemoryReport(r.Budget, r.ResidentBytes, resident, evicted, r.Evictions, r.Loads, r.LoadedBytes, r.OverFetched, r.FailedLoads, r.FailedEvictions)
            {
                ProvenanceBytes = r.ProvenanceBytes,
            }
            : new StateMemoryReport(null, _segments.Values.Sum(s => s.ResidentBytes), resident, 0, 0, 0, 0, 0, 0, 0);
    }

    /// <summary>Evicts cold segments when the resident rows are over the budget (between kernel calls).</summary>
    internal void EnforceBudget() => _residency?.Enforce();

    /// <summary>Number of segments (including empty ones).</summary>
    public int SegmentCount => _segments.Count;

    /// <summary>Total number of rows.</summary>
    public long RowCount => _segments.Values.Sum(s => (long)s.Count);

    /// <summary>The non-empty segments in canonical order.</summary>
    public IEnumerable<Segment> Segments
    {
        get
        {
            foreach (var id in Order())
            {
                var segment = _segments[id];
                if (segment.Count > 0) yield return segment;
            }
        }
    }

    /// <summary>A segment, or null when nothing was ever written there.</summary>
    public Segment? Find(SegmentId id) => _segments.GetValueOrDefault(id);

    /// <summary>The state hash.</summary>
    public Hash32 Hash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Domain);
        Span<byte> buffer = stackalloc byte[4 + 256 + 4 + 256 + Hash32.Length];
        foreach (var id in Order())
        {
            var segment = _segments[id];
            if (segment.Count == 0) continue;
            var at = 0;
            at += WriteLengthPrefixed(buffer, id.Table);
            at += WriteLengthPrefixed(buffer[at..], id.Branch);
            segment.Hash.CopyTo(buffer[at..]);
            sha.AppendData(buffer[..(at + Hash32.Length)]);
        }

        Span<byte> digest = stackalloc byte[Hash32.Length];
        sha.GetHashAndReset(digest);
        return new Hash32(digest);
    }

    /// <summary>The hash of "the books": every table but <c>$erased</c>. Unchanged by an erasure.</summary>
    public Hash32 BooksHash() => HashExcluding(ReservedTables.Erased.Name);

    /// <summary>The erased subjects, in canonical order.</summary>
    public IReadOnlyList<string> ErasedSubjects() =>
        (Find(new SegmentId(ReservedTables.Erased.Name, "")) as BytesSegment)?.SortedKeys() ?? [];

    /// <summary>The hash of every segment except those of the given tables (e.g. "the books": all but <c>$erased</c>).</summary>
    public Hash32 HashExcluding(params string[] tables)
    {
        var excluded = new HashSet<string>(tables, StringComparer.Ordinal);
        var copy = new StateStore();
        foreach (var pair in _segments)
        {
            if (!excluded.Contains(pair.Key.Table)) copy._segments.Add(pair.Key, pair.Value);
        }

        return copy.Hash();
    }

    private static int WriteLengthPrefixed(Span<byte> dst, string text)
    {
        var n = Encoding.UTF8.GetBytes(text, dst[4..]);
        BinaryPrimitives.WriteUInt32BigEndian(dst, (uint)n);
        return 4 + n;
    }

    private SegmentId[] Order()
    {
        if (_order is null)
        {
            var order = _segments.Keys.ToArray();
            Array.Sort(order);
            _order = order;
        }

        return _order;
    }

    /// <summary>Drops every cached segment hash (benchmarks measure a cold hash with it).</summary>
    internal void InvalidateHashes()
    {
        foreach (var segment in _segments.Values) segment.Invalidate();
    }

    /// <summary>The segment of <paramref name="table"/> in <paramref name="branch"/> ("" for global), or null.</summary>
    internal Segment? Find(Table table, string branch)
    {
        var cache = CacheFor(branch);
        if (cache.TryGetValue(table, out var segment)) return segment;
        segment = Find(new SegmentId(table.Name, branch));
        if (segment is not null) cache[table] = segment;
        return segment;
    }

    internal Segment GetOrCreate(Table table, string branch)
    {
        var cache = CacheFor(branch);
        if (cache.TryGetValue(table, out var segment)) return segment;
        segment = GetOrCreate(new SegmentId(table.Name, branch), table.Kind);
        cache[table] = segment;
        return segment;
    }

    private Dictionary<Table, Segment> CacheFor(string branch)
    {
        if (branch.Length == 0) return _globalByHandle;
        if (!_branchByHandle.TryGetValue(branch, out var cache))
        {
            cache = new Dictionary<Table, Segment>(ReferenceEqualityComparer.Instance);
            _branchByHandle.Add(branch, cache);
        }

        return cache;
    }

    internal Segment GetOrCreate(SegmentId id, TableKind kind)
    {
        if (_segments.TryGetValue(id, out var segment))
        {
            if (segment.Kind != kind)
            {
                throw Error.Ledger($"segment {id} holds {segment.Kind.WireName()} rows; a {kind.WireName()} write was attempted. Table kinds are fixed forever.");
            }

            return segment;
        }

        segment = Segment.Create(id, kind);
        if (_residency is not null) segment.Attach(_residency);
        _segments.Add(id, segment);
        _order = null;
        return segment;
    }

    // ---- typed reads for projections and UIs ----

    /// <summary>A branch row, decoded; false when absent.</summary>
    public bool TryGet<T>(BranchTable<T> table, BranchId branch, string key, out T value) =>
        TryDecode(Find(new SegmentId(table.Name, branch.ToString())) as BytesSegment, key, out value);

    /// <summary>A claim row, decoded; false when absent.</summary>
    public bool TryGet<T>(ClaimTable<T> table, string claimKey, out T value) =>
        TryDecode(Find(new SegmentId(table.Name, "")) as BytesSegment, claimKey, out value);

    /// <summary>The correction rows of a table in canonical key order (op ref, index).</summary>
    public IReadOnlyList<(string Key, T Value)> Rows<T>(CorrectionTable<T> table) => DecodeAll<T>(Find(new SegmentId(table.Name, "")) as BytesSegment);

    /// <summary>The rows of a branch table in canonical key order.</summary>
    public IReadOnlyList<(string Key, T Value)> Rows<T>(BranchTable<T> table, BranchId branch) =>
        DecodeAll<T>(Find(new SegmentId(table.Name, branch.ToString())) as BytesSegment);

    /// <summary>A counter's sum (zero when untouched).</summary>
    public Int128 Get(CounterTable table, string key) =>
        (Find(new SegmentId(table.Name, "")) as CounterSegment)?.Get(key) ?? Int128.Zero;

    /// <summary>The rows of a counter table in canonical key order.</summary>
    public IReadOnlyList<(string Key, Int128 Value)> Rows(CounterTable table)
    {
        if (Find(new SegmentId(table.Name, "")) is not CounterSegment segment) return [];
        return segment.SortedKeys().Select(k => (k, segment.Get(k)!.Value)).ToArray();
    }

    /// <summary>A Max row, or null.</summary>
    public long? Get(MaxTable table, string key) => (Find(new SegmentId(table.Name, "")) as ExtremumSegment)?.Get(key);

    /// <summary>A Min row, or null.</summary>
    public long? Get(MinTable table, string key) => (Find(new SegmentId(table.Name, "")) as ExtremumSegment)?.Get(key);

    /// <summary>A set row's elements in canonical order.</summary>
    public IReadOnlyList<string> Get(SetTable table, string key) => (Find(new SegmentId(table.Name, "")) as SetSegment)?.Get(key) ?? [];

    /// <summary>A last-writer-wins row, decoded; false when absent.</summary>
    public bool TryGet<T>(LwwTable<T> table, string key, out T value)
    {
        if (Find(new SegmentId(table.Name, "")) is LwwSegment segment && segment.TryGet(key, out _, out var bytes))
        {
            value = Values.Decode<T>(bytes);
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>The refusal rows: (op, code) in canonical order.</summary>
    public IReadOnlyList<Refusal> Refusals()
    {
        if (Find(new SegmentId(ReservedTables.Refused.Name, "")) is not BytesSegment segment) return [];
        return segment.SortedKeys().Select(k => Refusal.FromRow(k, segment.Get(k)!)).ToArray();
    }

    private static bool TryDecode<T>(BytesSegment? segment, string key, out T value)
    {
        var bytes = segment?.Get(key);
        if (bytes is null)
        {
            value = default!;
            return false;
        }

        value = Values.Decode<T>(bytes);
        return true;
    }

    private static (string, T)[] DecodeAll<T>(BytesSegment? segment)
    {
        if (segment is null) return [];
        return segment.SortedKeys().Select(k => (k, Values.Decode<T>(segment.Get(k)!))).ToArray();
    }
}
