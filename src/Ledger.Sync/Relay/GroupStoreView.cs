using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The relay's store as a group's members see it while the group is ingested: the store, with the ops earlier
/// members accepted appended as if they were stored already, at tentative positions from the store's count when the
/// group began. Each member is ingested against this view exactly as it would be against the store alone after the
/// earlier members (tips, repeats, forks and key events include theirs); the group's ops are then stored in one
/// transaction and the tentative positions shifted to where they landed.</summary>
/// <remarks>Only what ingest reads is served from the pending ops; the rest goes to the store. Used under the relay's
/// gate, by one group at a time.</remarks>
internal sealed class GroupStoreView(IRelayStore store) : ILeafHashedRelayStore
{
    private readonly List<StoredOp> _ops = [];
    private readonly List<Hash32> _leaves = [];
    private readonly Dictionary<OpRef, StoredOp> _byRef = [];
    private readonly Dictionary<AuthorId, StoredOp> _tips = [];
    // Authors read from the store for the whole group at once (Prefetch): null tip when the store holds none of theirs.
    private readonly Dictionary<AuthorId, (StoredOp? Tip, IReadOnlyList<StoredOp> KeyEvents)> _read = [];

    /// <summary>The store's count when the group began: the first tentative position.</summary>
    public long Base { get; } = store.Count;

    /// <summary>The group's accepted ops, at tentative positions from <see cref="Base"/>.</summary>
    public IReadOnlyList<StoredOp> Pending => _ops;

    /// <summary>Their leaf hashes.</summary>
    public IReadOnlyList<Hash32> Leaves => _leaves;

    /// <summary>True when <paramref name="op"/> is pending at tentative <paramref name="position"/>.</summary>
    public bool IsPending(OpRef op, long position) => _byRef.TryGetValue(op, out var pending) && pending.Position == position;

    public long Count => Base + _ops.Count;

    public long SizeBytes => store.SizeBytes;

    public long? CapBytes => store.CapBytes;

    /// <summary>Reads the chains of <paramref name="authors"/> in one round trip when the store can (see
    /// <see cref="IAuthorChainReader"/>); the view then answers their tips and key events without the store.</summary>
    public async Task PrefetchAsync(IReadOnlyCollection<AuthorId> authors, CancellationToken cancellationToken)
    {
        if (store is not IAuthorChainReader reader || authors.Count == 0) return;
        var chains = await reader.ReadChainsAsync(authors, cancellationToken).ConfigureAwait(false);
        foreach (var author in authors) _read[author] = chains.TryGetValue(author, out var chain) ? (chain.Tip, chain.KeyEvents) : (null, []);
    }

    public Task<(ulong Seq, Hash32 Tip)?> GetTipAsync(AuthorId author, CancellationToken cancellationToken = default)
    {
        if (_tips.TryGetValue(author, out var tip)) return Task.FromResult<(ulong, Hash32)?>((tip.Seq, tip.Hash));
        if (_read.TryGetValue(author, out var read)) return Task.FromResult(read.Tip is { } t ? ((ulong, Hash32)?)(t.Seq, t.Hash) : null);
        return store.GetTipAsync(author, cancellationToken);
    }

    public Task<StoredOp?> FindAsync(AuthorId author, ulong seq, CancellationToken cancellationToken = default) =>
        _byRef.TryGetValue(new OpRef(author, seq), out var op) ? Task.FromResult<StoredOp?>(op) : store.FindAsync(author, seq, cancellationToken);

    public async Task<IReadOnlyList<StoredOp>> ReadKeyEventsAsync(AuthorId author, CancellationToken cancellationToken = default)
    {
        var stored = _read.TryGetValue(author, out var read) ? read.KeyEvents : await store.ReadKeyEventsAsync(author, cancellationToken).ConfigureAwait(false);
        if (!_tips.ContainsKey(author)) return stored;
        // The pending ops of an author follow its stored ones (each was accepted on top of the chain).
        return [.. stored, .. _ops.Where(o => o.Author == author && o.IsKeyEvent)];
    }

    public Task AppendAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default) =>
        AppendSequencedAsync(ops, ops.Select(o => MerkleTree.LeafHash(o.Bytes.Span)).ToArray(), cancellationToken);

    public Task<long> AppendSequencedAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default) =>
        AppendSequencedAsync(ops, ops.Select(o => MerkleTree.LeafHash(o.Bytes.Span)).ToArray(), cancellationToken);

    public Task<long> AppendSequencedAsync(IReadOnlyList<StoredOp> ops, IReadOnlyList<Hash32> leaves, CancellationToken cancellationToken)
    {
        var first = Count;
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i] with { Position = first + i };
            // The relay checked the chain against this view: an (author, seq) pending twice would be its own bug.
            if (!_byRef.TryAdd(new OpRef(op.Author, op.Seq), op)) throw Error.InvalidOperation($"{op.Author}#{op.Seq} is in the group twice.");
            _ops.Add(op);
            _leaves.Add(leaves[i]);
            _tips[op.Author] = op;
        }

        return Task.FromResult(first);
    }

    // The view's count is its own: nothing to refresh until the group is stored.
    public Task<long> RefreshAsync(CancellationToken cancellationToken = default) => Task.FromResult(Count);

    public Task<IReadOnlyList<StoredOp>> ReadAsync(long fromPosition, int max, CancellationToken cancellationToken = default) => store.ReadAsync(fromPosition, max, cancellationToken);

    public Task<IReadOnlyList<StoredOp>> ReadAuthorAsync(AuthorId author, ulong fromSeq, int max, CancellationToken cancellationToken = default) =>
        store.ReadAuthorAsync(author, fromSeq, max, cancellationToken);

    public Task AddCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) => store.AddCosignatureAsync(note, cancellationToken);

    public Task<IReadOnlyList<byte[]>> ReadCosignaturesAsync(int max, CancellationToken cancellationToken = default) => store.ReadCosignaturesAsync(max, cancellationToken);

    public Task TrimCosignaturesAsync(int keep, CancellationToken cancellationToken = default) => store.TrimCosignaturesAsync(keep, cancellationToken);

    public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        store.AddEvidenceAsync(kind, accused, bytes, cancellationToken);

    public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default) => store.ReadEvidenceAsync(cancellationToken);

    public Task<bool> KeepBeaconAsync(BeaconRecord beacon, CancellationToken cancellationToken = default) => store.KeepBeaconAsync(beacon, cancellationToken);

    public Task<IReadOnlyList<BeaconRecord>> ReadBeaconsAsync(CancellationToken cancellationToken = default) => store.ReadBeaconsAsync(cancellationToken);

    // The store is the relay's; the view owns nothing.
    public void Dispose()
    {
    }
}
