namespace Ledger.Kernel;

/// <summary>Ops this replica holds but cannot fold, in arrival order, and what they stop.</summary>
internal sealed class ParkingLot
{
    private readonly List<Entry> _queue = [];
    private readonly Dictionary<AuthorId, ulong> _authors = new();
    private readonly HashSet<BranchId> _branches = new();
    private readonly HashSet<string> _claimKeys = new(StringComparer.Ordinal);

    public int Count => _queue.Count;

    public IReadOnlyList<Entry> Queue => _queue;

    public bool IsAuthorBlocked(AuthorId author) => _authors.Count > 0 && _authors.ContainsKey(author);

    public bool IsBranchBlocked(BranchId branch) => _branches.Count > 0 && _branches.Contains(branch);

    public bool IsClaimKeyBlocked(string key) => _claimKeys.Count > 0 && _claimKeys.Contains(key);

    public void Park(Op op, long? position, ParkReason reason, Scope? scope, bool blockAuthor)
    {
        _queue.Add(new Entry(op, position, reason));
        if (blockAuthor) _authors.TryAdd(op.Author, op.Seq);

        // An op of unknown scope may be a Branch op: stop its branch too — but only when its author owns the branch.
        // A non-owner's op can never touch the branch (a Branch op of a non-owner is refused), and letting it stop
        // the branch would let any author freeze any other author's books with one op under a made-up manifest.
        if (scope is null or Scope.Branch && op.Branch.Owner == op.Author) _branches.Add(op.Branch);
        if (op.ClaimKey is not null) _claimKeys.Add(op.ClaimKey);
    }

    /// <summary>The relay positions held by parked claim ops.</summary>
    public bool HoldsPosition(long position, OpRef except) => _queue.Any(e => e.Position == position && e.Op.Ref != except);

    public void AssignPosition(OpRef op, long position)
    {
        for (var i = 0; i < _queue.Count; i++)
        {
            if (_queue[i].Op.Ref == op && _queue[i].Position is null)
            {
                _queue[i] = _queue[i] with { Position = position };
            }
        }
    }

    /// <summary>Puts entries back (an interrupted resume), ahead of anything parked since.</summary>
    public void Restore(IReadOnlyList<Entry> entries, Func<Entry, (Scope? Scope, bool BlockAuthor)> how)
    {
        var later = _queue.ToList();
        _queue.Clear();
        foreach (var e in entries.Concat(later))
        {
            var (scope, block) = how(e);
            Park(e.Op, e.Position, e.Reason, scope, block);
        }
    }

    public List<Entry> TakeAll()
    {
        var all = new List<Entry>(_queue);
        _queue.Clear();
        _authors.Clear();
        _branches.Clear();
        _claimKeys.Clear();
        return all;
    }

    public ParkedFrontier Frontier()
    {
        var ops = _queue.Select(e => new ParkedOp(e.Op.Ref, e.Op.Manifest, new VerbKey(e.Op.Verb, e.Op.VerbVersion), e.Reason)).ToArray();
        var missing = _queue.Where(e => e.Reason == ParkReason.UnknownManifest).Select(e => e.Op.Manifest).Distinct().OrderBy(m => m.Hash).ToArray();
        return new ParkedFrontier(ops, new Dictionary<AuthorId, ulong>(_authors), _branches.Order().ToArray(),
            _claimKeys.Order(StringComparer.Ordinal).ToArray(), missing);
    }

    internal readonly record struct Entry(Op Op, long? Position, ParkReason Reason);
}
