namespace Ledger.Sync.AspNetCore;

/// <summary>The entry bundles of one ledger the server built last, near the head of its log: devices following the log
/// ask for the head bundle, one width after another, many times a second (measured: 3 observer nodes at 100 ops/s, 12 %
/// of a SQLite relay's CPU building bundles, ~7 % of it reading ops from the store). A bundle is immutable once the log
/// has passed its positions and <c>.p/W</c> is a byte prefix of <c>.p/W'</c> (W &lt; W') and of the full bundle, so
/// one bundle held answers every width up to its own from memory, and a wider one is the held bytes and the entries
/// after them (<see cref="LedgerRelayServer"/>'s <c>TileAsync</c>).</summary>
/// <remarks>
/// <para><b>Bound:</b> at most <see cref="MaxBundles"/> bundles, only among the last <see cref="MaxBundles"/> of the log
/// (a device reading old full bundles from the start — which a CDN serves — does not push the head out), and at most
/// <see cref="MaxBytes"/> bytes of bundles and entry offsets; the bundle furthest from the head goes first, and one
/// larger than the whole budget (ops averaging over ~1 KiB in a full bundle) is served but not kept. Why these: the
/// head bundle is what followers ask for, the one before it is read whole by the followers that were behind when the
/// log crossed into the next, and two more cover slower readers; four full bundles of ops of ~250 bytes are ~250 KiB.
/// 256 KiB a ledger is an eighth of what its devices' held long polls already cost (~20 KB each, 100 devices a ledger:
/// docs/scaling.md), and at most ~0.65 GB for the 2,500 ledgers an instance serves there (10,000 over four).</para>
/// <para><b>Thread-safety:</b> a <see cref="Bundle"/> is immutable (built whole, then shared and never written);
/// <see cref="Find"/> and <see cref="Keep"/> take the one lock of the cache, only to look at and replace the slots,
/// never across an await: the store is read by the caller outside it. Two requests extending the same bundle at once
/// both read the new ops; the wider result is kept.</para>
/// <para><b>Several instances over one database</b> (PostgreSQL): positions below a log's size are sequenced in the
/// database and final in every instance, and a bundle is only built from positions below the size, so a prefix held
/// here stays the log's prefix whatever another instance stores. Bundles are read from the store without signing
/// (<c>Relay.ReadAsync</c>): a store rolled back or replaced is caught when the relay next signs a checkpoint (its check
/// against the head it signed), and a device checks every bundle it reads against a signed checkpoint's root, so bytes
/// that are not the log's are refused there; a log that went below a held bundle's end empties the cache
/// (<see cref="Find"/>). The cache lives in memory only: a relay that restarts starts
/// empty.</para>
/// </remarks>
internal sealed class EntryBundleCache
{
    /// <summary>Bundles held at most, and how far behind the head bundle one is still kept (see the remarks).</summary>
    public const int MaxBundles = 4;

    /// <summary>Bytes of bundles (and their entry offsets) held at most (see the remarks).</summary>
    public const int MaxBytes = 256 * 1024;

    private readonly Lock _lock = new();
    private readonly List<Bundle> _held = new(MaxBundles + 1);
    private long _bytes;
    private long _hits;
    private long _extended;
    private long _built;

    /// <summary>A built entry bundle: bundle <see cref="Index"/> at <see cref="Width"/>, with where each entry starts.
    /// Immutable: every array is filled before the bundle is made and never written after.</summary>
    internal sealed class Bundle
    {
        private readonly byte[] _bytes;
        private readonly int[] _offsets;

        /// <param name="index">The bundle's index N.</param>
        /// <param name="bytes">The bundle: each entry behind its big-endian uint16 length.</param>
        /// <param name="offsets">Width + 1 offsets: where entry i starts in <paramref name="bytes"/>, then its length.</param>
        public Bundle(long index, byte[] bytes, int[] offsets)
        {
            Index = index;
            _bytes = bytes;
            _offsets = offsets;
        }

        public long Index { get; }

        public int Width => _offsets.Length - 1;

        /// <summary>What holding it costs, counted against <see cref="MaxBytes"/>.</summary>
        public long Cost => _bytes.Length + (long)_offsets.Length * sizeof(int);

        /// <summary>The bundle's bytes.</summary>
        public ReadOnlyMemory<byte> Bytes => _bytes;

        /// <summary>The bytes of the bundle at <paramref name="width"/> ≤ <see cref="Width"/>: a prefix of these.</summary>
        public ReadOnlyMemory<byte> Prefix(int width) => _bytes.AsMemory(0, _offsets[width]);

        /// <summary>Where entry <paramref name="entry"/> starts (<see cref="Width"/>: the end).</summary>
        public int Offset(int entry) => _offsets[entry];
    }

    /// <summary>Widths answered from a held bundle, without reading the store.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Wider bundles built from a held one and the entries after it.</summary>
    public long Extended => Interlocked.Read(ref _extended);

    /// <summary>Bundles built from nothing held.</summary>
    public long Built => Interlocked.Read(ref _built);

    /// <summary>Bundles held now (tests).</summary>
    internal int Count
    {
        get
        {
            lock (_lock) return _held.Count;
        }
    }

    /// <summary>Bytes held now (tests).</summary>
    internal long HeldBytes
    {
        get
        {
            lock (_lock) return _bytes;
        }
    }

    /// <summary>The held bundle of index <paramref name="index"/>, null when none is. <paramref name="size"/> is the
    /// log's size now: a log that went below the end of a held bundle (a store restored from an older backup) lost the
    /// positions it was built from, and every bundle held is dropped.</summary>
    public Bundle? Find(long index, long size)
    {
        lock (_lock)
        {
            foreach (var bundle in _held)
            {
                if (bundle.Index * TilePath.FullWidth + bundle.Width <= size) continue;
                _held.Clear();
                _bytes = 0;
                return null;
            }

            foreach (var bundle in _held) if (bundle.Index == index) return bundle;
        }

        return null;
    }

    internal void CountHit() => Interlocked.Increment(ref _hits);

    internal void CountBuilt(bool extended) => Interlocked.Increment(ref extended ? ref _extended : ref _built);

    /// <summary>Keeps <paramref name="bundle"/>, built from positions below a log size whose last bundle is
    /// <paramref name="headIndex"/>, unless a wider one of its index is held; bundles that fell more than
    /// <see cref="MaxBundles"/> − 1 behind the head go, then the ones furthest behind until the rest fit.</summary>
    public void Keep(Bundle bundle, long headIndex)
    {
        if (bundle.Cost > MaxBytes || bundle.Index <= headIndex - MaxBundles) return;
        lock (_lock)
        {
            for (var i = 0; i < _held.Count; i++)
            {
                if (_held[i].Index != bundle.Index) continue;
                // Both are prefixes of the same immutable bundle: the wider one answers every width the other does.
                if (_held[i].Width >= bundle.Width) return;
                _bytes -= _held[i].Cost;
                _held.RemoveAt(i);
                break;
            }

            _held.Add(bundle);
            _bytes += bundle.Cost;
            _held.Sort(static (a, b) => b.Index.CompareTo(a.Index));
            // Highest index first: drop from the end, the bundles furthest behind (the new one, if it is).
            while (_held.Count > MaxBundles || _bytes > MaxBytes || _held[^1].Index <= headIndex - MaxBundles)
            {
                _bytes -= _held[^1].Cost;
                _held.RemoveAt(_held.Count - 1);
                if (_held.Count == 0) break;
            }
        }
    }
}
