namespace Ledger.Kernel;

/// <summary>The chain hashes of one author's accepted ops (index = seq - First), so that an op at a held (author, seq)
/// below the tip is told apart: the same op (a duplicate) or another one (a fork). 32 bytes per op; under a state memory
/// budget, every full page of <see cref="PageSize"/> hashes goes to the segment store with its SHA-256 kept (32 bytes
/// per page in memory), and a look-up below the last page reads that page back, verified.</summary>
internal sealed class ChainHistory(AuthorId author, ulong first, ISegmentStore? store)
{
    public const int PageSize = 1024;
    private readonly List<Hash32[]?> _pages = [];
    private readonly List<Hash32> _pageHashes = [];
    private Hash32[] _last = new Hash32[PageSize];
    private int _lastCount;

    public ulong First { get; } = first;

    public long Count => ((long)_pages.Count * PageSize) + _lastCount;

    public void Add(Hash32 chainHash)
    {
        _last[_lastCount++] = chainHash;
        if (_lastCount < PageSize) return;
        var page = _last;
        _last = new Hash32[PageSize];
        _lastCount = 0;
        var bytes = Bytes(page);
        _pageHashes.Add(Hash32.Sha256(bytes));
        if (store is null)
        {
            _pages.Add(page);
            return;
        }

        try
        {
            store.Write(PageId(_pages.Count), _pageHashes[^1], bytes);
            _pages.Add(null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _pages.Add(page); // kept in memory: over budget, but whole
        }
    }

    /// <summary>The chain hash at <paramref name="index"/> (seq - First), or null past the end.</summary>
    /// <exception cref="SegmentDamagedException">The page is not in the store as it was written.</exception>
    public Hash32? At(ulong index)
    {
        if (index >= (ulong)Count) return null;
        var pageIndex = (int)(index / PageSize);
        var offset = (int)(index % PageSize);
        if (pageIndex == _pages.Count) return _last[offset];
        if (_pages[pageIndex] is { } page) return page[offset];
        var id = PageId(pageIndex);
        byte[]? bytes;
        try
        {
            bytes = store!.Read(id);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Error.SegmentDamaged(id, $"the segment store failed ({e.GetType().Name}: {e.Message}).", e);
        }

        if (bytes is null || bytes.Length != PageSize * Hash32.Length || Hash32.Sha256(bytes) != _pageHashes[pageIndex])
        {
            throw Error.SegmentDamaged(id, "the page of chain hashes is missing or does not hash to the hash kept.");
        }

        return new Hash32(bytes.AsSpan(offset * Hash32.Length, Hash32.Length));
    }

    // Not a table name ('$' and '#' are not allowed in tables a manifest declares): never collides with a state segment.
    private SegmentId PageId(int page) => new("$chain#" + page.ToString(System.Globalization.CultureInfo.InvariantCulture), author.Value);

    private static byte[] Bytes(Hash32[] page)
    {
        var bytes = new byte[page.Length * Hash32.Length];
        for (var i = 0; i < page.Length; i++) page[i].CopyTo(bytes.AsSpan(i * Hash32.Length));
        return bytes;
    }
}
