using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The at-risk exporter of a node (risk A1): builds exports (<see cref="NodeExport"/>) of everything the node
/// folded, and, under <see cref="NodeOptions.AtRiskExport"/>, writes one whenever too much own work that no relay
/// acknowledged is not in the last export, or it is too old, so a wiped device loses none of it.</summary>
/// <remarks>One export build at a time (<see cref="NodeLocks.Export"/>, rank 2, held across the store read and the file
/// write); the snapshot an export vouches for is taken under the sign and fold gates (ranks 4 and 5); the covered
/// prefix (<c>_riskScanFrom</c>, <c>_exportedThroughSeq</c>) is read and moved under the fold gate.</remarks>
internal sealed class AtRiskExporter
{
    private readonly NodeOptions _options;
    private readonly INodeStore _store;
    private readonly NodeLocks _locks;
    private readonly LocalReplica _replica;
    private readonly AppendPipeline _pipeline;
    private ulong _exportedThroughSeq;
    private ulong _riskScanFrom;
    private volatile Exception? _lastExportFailure;
    private ulong _exportRetryAfterSeq;
    private DateTimeOffset _exportRetryAfter;

    public AtRiskExporter(NodeOptions options, INodeStore store, NodeLocks locks, LocalReplica replica, AppendPipeline pipeline)
    {
        _options = options;
        _store = store;
        _locks = locks;
        _replica = replica;
        _pipeline = pipeline;
    }

    /// <summary>Why the last at-risk export failed, or null once one succeeded.</summary>
    public Exception? LastFailure => _lastExportFailure;

    /// <summary>Own ops up to <paramref name="seq"/> are in an export (an import brought them).</summary>
    public void MarkExportedThrough(ulong seq) => _exportedThroughSeq = seq;

    /// <summary>The relay no longer holds own ops from <paramref name="fromSeq"/>: they may be at risk again.
    /// Called under the fold gate.</summary>
    public void RescanFrom(ulong fromSeq) => _riskScanFrom = Math.Min(_riskScanFrom, fromSeq - 1);

    /// <summary>What an export vouches for, taken in memory under the gates: the state hash and cursor folded, and per
    /// own op folded its rung and position. The store is read afterwards, outside every lock, and only the records
    /// this snapshot covers are exported (later ones are in the store but not in the hash).</summary>
    private sealed record ExportSnapshot(SigningKey Key, Hash32 StateHash, long Cursor, (long? Position, bool Refused, string? Detail)[] Own, ulong Compacted = 0);

    private ExportSnapshot TakeExportSnapshot()
    {
        lock (_locks.Sign)
        {
            lock (_locks.Fold)
            {
                var keys = _replica.OwnChain.Keys!;
                if (!_pipeline.TryGetKey(keys.Current.Id, out var key)) throw Error.InvalidOperation($"this node does not hold its current key {keys.Current.Id}; rotate to the key it holds first.");
                var own = new (long?, bool, string?)[_replica.Own.Count];
                // A compacted prefix (a node opened from its checkpoint, risk B2) is exported as the store holds it.
                for (var seq = _replica.Own.CompactedThrough + 1; seq <= (ulong)_replica.Own.Count; seq++)
                {
                    var o = _replica.Own[seq];
                    own[seq - 1] = (o.Position, o.Rung == DurabilityRung.Refused, o.Detail);
                }

                return new ExportSnapshot(key, _replica.Kernel.StateHash(), _replica.FoldedCursor, own, _replica.Own.CompactedThrough);
            }
        }
    }

    /// <summary>Builds an export; returns it with the number of own ops it covers.</summary>
    public async Task<(byte[] Bytes, ulong OwnThrough)> ExportAsync(CancellationToken cancellationToken)
    {
        var snapshot = TakeExportSnapshot();
        var records = new List<NodeOpRecord>();
        await foreach (var r in _store.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (r.Own)
            {
                if (r.Op.Seq > (ulong)snapshot.Own.Length) continue;
                if (r.Op.Seq <= snapshot.Compacted)
                {
                    records.Add(r);
                    continue;
                }

                var (position, refused, detail) = snapshot.Own[r.Op.Seq - 1];
                records.Add(r with { Position = position, RefusedBy = refused ? detail ?? r.RefusedBy ?? "refused" : null });
            }
            else if (r.Position is { } p && p < snapshot.Cursor)
            {
                records.Add(r);
            }
        }

        var witnesses = await _store.LoadWitnessesAsync(cancellationToken).ConfigureAwait(false);
        return (NodeExport.Create(_options.Ledger, _pipeline.Author, snapshot.Cursor, snapshot.StateHash, records, witnesses, snapshot.Key), (ulong)snapshot.Own.Length);
    }

    /// <summary>The check after an append: export when too much unacknowledged work is not
    /// in the last export, or it is too old. Runs on every append, so the common case costs O(1): own seqs are
    /// 1…n, and everything up to <see cref="_riskScanFrom"/> is known acknowledged, refused or exported.</summary>
    public async Task ExportIfAtRiskAsync(bool closing)
    {
        if (_options.AtRiskExport is not { } policy) return;
        if (!closing && _lastExportFailure is not null && _pipeline.Seq < _exportRetryAfterSeq && _options.Time.GetUtcNow() < _exportRetryAfter) return;
        if (!closing && !MayBeAtRisk(policy)) return;
        await _locks.Export.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_locks.Fold)
            {
                var uncovered = UncoveredOwnOps();
                if (uncovered.Count == 0) return;
                var oldest = DateTimeOffset.FromUnixTimeMilliseconds(uncovered.Min(o => o.At));
                var due = closing ? policy.OnClose : uncovered.Count >= policy.MaxUncoveredOps || _options.Time.GetUtcNow() - oldest >= policy.MaxUncoveredAge;
                if (!due) return;
            }

            byte[] bytes;
            ulong through;
            try
            {
                (bytes, through) = await ExportAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (!closing && e is not InvalidOperationException)
            {
                // The store could not be read: like a failed write below, the append that asked still succeeded.
                _lastExportFailure = e;
                _exportRetryAfterSeq = _pipeline.Seq + (ulong)Math.Max(1, policy.MaxUncoveredOps);
                _exportRetryAfter = _options.Time.GetUtcNow() + policy.MaxUncoveredAge;
                return;
            }

            try
            {
                var temporary = policy.Path + ".tmp";
                await File.WriteAllBytesAsync(temporary, bytes).ConfigureAwait(false);
                File.Move(temporary, policy.Path, overwrite: true);
            }
            catch (Exception e) when (!closing && e is IOException or UnauthorizedAccessException)
            {
                // After an append the op is persisted and folded: the append succeeded. A failed export is the node's
                // health's business, and is not retried on every append (each try builds a whole export under the
                // signing gate). On close it is thrown: the caller asked for it.
                _lastExportFailure = e;
                _exportRetryAfterSeq = _pipeline.Seq + (ulong)Math.Max(1, policy.MaxUncoveredOps);
                _exportRetryAfter = _options.Time.GetUtcNow() + policy.MaxUncoveredAge;
                return;
            }

            _exportedThroughSeq = through;
            _lastExportFailure = null;
        }
        finally
        {
            _locks.Export.Release();
        }
    }

    /// <summary>An upper bound, in O(1): could the ops after the covered prefix be due for an export?</summary>
    private bool MayBeAtRisk(AtRiskExportPolicy policy)
    {
        lock (_locks.Fold)
        {
            var from = Math.Max(Math.Max(_riskScanFrom, _exportedThroughSeq), _replica.Own.CompactedThrough);
            var tip = (ulong)_replica.Own.Count;
            if (tip - Math.Min(from, tip) >= (ulong)policy.MaxUncoveredOps) return true;
            return _replica.Own.TryGetValue(from + 1, out var first)
                && _options.Time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(first.At) >= policy.MaxUncoveredAge;
        }
    }

    /// <summary>Own ops after the last export that no relay acknowledged; moves the covered prefix forward.
    /// Called under the fold gate.</summary>
    private List<OwnLadder.OwnOp> UncoveredOwnOps()
    {
        var from = Math.Max(Math.Max(_riskScanFrom, _exportedThroughSeq), _replica.Own.CompactedThrough);
        var uncovered = new List<OwnLadder.OwnOp>();
        for (var seq = from + 1; seq <= (ulong)_replica.Own.Count; seq++)
        {
            var own = _replica.Own[seq];
            if (own.Rung is DurabilityRung.Local or DurabilityRung.Syncing) uncovered.Add(own);
            else if (uncovered.Count == 0) _riskScanFrom = seq;
        }

        return uncovered;
    }
}
