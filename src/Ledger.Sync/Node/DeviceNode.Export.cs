using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

public sealed partial class DeviceNode
{
    private readonly SemaphoreSlim _exportGate = new(1, 1);
    private ulong _exportedThroughSeq;
    private ulong _riskScanFrom;

    /// <summary>What the last restore (import or recovery) brought back, and what it could not vouch for.</summary>
    public RestoreReport? LastRestore { get; private set; }

    /// <summary>Exports everything this node has folded (<see cref="NodeExport"/>), signed by its current key:
    /// the "email it to yourself" backup. Ops persisted but not folded yet wait for the next export.</summary>
    public async Task<byte[]> ExportAsync(CancellationToken cancellationToken = default) => (await ExportCoreAsync(cancellationToken).ConfigureAwait(false)).Bytes;

    /// <summary>Restores a node from an export into an empty store: verifies every chain and the exporter's
    /// signature, folds the ops and checks they reach the exported state hash — all before writing anything —
    /// then opens the node. Unacknowledged own ops come back on the Local rung and are pushed on the next sync.</summary>
    /// <param name="options">The node's options (its manifests decide the state hash).</param>
    /// <param name="emptyStore">An empty store.</param>
    /// <param name="export">The export's bytes.</param>
    /// <param name="currentKey">The exporter's current key (or the committed next key, to rotate to).</param>
    /// <param name="cancellationToken">Cancels the import before anything is written.</param>
    /// <exception cref="LedgerFormatException">The bytes are not a well-formed export; the message names the field and record.</exception>
    /// <exception cref="ExportException">The export does not verify or does not fold to its state hash; nothing was written.</exception>
    public static async Task<DeviceNode> ImportAsync(NodeOptions options, INodeStore emptyStore, ReadOnlyMemory<byte> export, SigningKey currentKey,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(emptyStore);
        ArgumentNullException.ThrowIfNull(currentKey);
        if (!await emptyStore.IsEmptyAsync(cancellationToken).ConfigureAwait(false)) throw new ArgumentException("import needs an empty store.", nameof(emptyStore));
        var file = NodeExport.Decode(export);
        if (file.Ledger != options.Ledger) throw new ExportException($"the export is of ledger '{file.Ledger}', this node's is '{options.Ledger}'.");
        var verdict = file.Verify();
        if (!verdict.Ok) throw new ExportException("the export does not verify: " + verdict.Finding);

        // Fold it aside first: a store is written only with ops known to reach the exported state.
        var scratch = new InMemoryNodeStore();
        await WriteToAsync(scratch, file, cancellationToken).ConfigureAwait(false);
        var foldOnly = new NodeOptions { Ledger = options.Ledger, Manifests = options.Manifests, Time = options.Time, OpIds = options.OpIds, TrackProvenance = false };
        Hash32 folded;
        var trial = await OpenAsync(foldOnly, scratch, currentKey, cancellationToken).ConfigureAwait(false);
        await using (trial.ConfigureAwait(false))
        {
            folded = trial.StateHash();
        }

        if (folded != file.StateHash)
        {
            throw new ExportException($"the export's ops fold to {folded.ToShortString()}, not to the exported state {file.StateHash.ToShortString()}: other manifests, or a tampered file. Nothing was imported.");
        }

        await WriteToAsync(emptyStore, file, cancellationToken).ConfigureAwait(false);
        var node = await OpenAsync(options, emptyStore, currentKey, cancellationToken).ConfigureAwait(false);
        node.Startup = node.Startup with { Path = NodeStartPath.Imported };
        var own = file.Records.Where(r => r.Own).ToArray();
        node.LastRestore = new RestoreReport("export", own.Length == 0 ? 0 : own.Max(r => r.Op.Seq), own.Count(r => r.Position is null && r.RefusedBy is null), file.Records.Count,
            "ops signed on the lost device after this export, that never reached the relay, are not in it.");
        node._exportedThroughSeq = own.Length == 0 ? 0 : own.Max(r => r.Op.Seq);
        return node;
    }

    /// <summary>Writes an export's records and witnessed checkpoints into a store, in one append.</summary>
    public static async Task WriteToAsync(INodeStore emptyStore, NodeExport export, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(emptyStore);
        ArgumentNullException.ThrowIfNull(export);
        await emptyStore.AppendAsync(export.Records, export.Cursor, cancellationToken).ConfigureAwait(false);
        foreach (var (origin, note) in export.Witnesses) await emptyStore.SaveWitnessAsync(origin, note, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What an export vouches for, taken in memory under the gates: the state hash and cursor folded, and per
    /// own op folded its rung and position. The store is read afterwards, outside every lock, and only the records
    /// this snapshot covers are exported (later ones are in the store but not in the hash).</summary>
    private sealed record ExportSnapshot(SigningKey Key, Hash32 StateHash, long Cursor, (long? Position, bool Refused, string? Detail)[] Own);

    private ExportSnapshot TakeExportSnapshot()
    {
        lock (_signGate)
        {
            lock (_foldGate)
            {
                var keys = _verifiers[Author].Keys!;
                if (!_keys.TryGetValue(keys.Current.Id, out var key)) throw new InvalidOperationException($"this node does not hold its current key {keys.Current.Id}; rotate to the key it holds first.");
                var own = new (long?, bool, string?)[_own.Count];
                for (var seq = 1UL; seq <= (ulong)_own.Count; seq++)
                {
                    var o = _own[seq];
                    own[seq - 1] = (o.Position, o.Rung == DurabilityRung.Refused, o.Detail);
                }

                return new ExportSnapshot(key, _kernel.StateHash(), _foldedCursor, own);
            }
        }
    }

    /// <summary>Builds an export; returns it with the number of own ops it covers.</summary>
    private async Task<(byte[] Bytes, ulong OwnThrough)> ExportCoreAsync(CancellationToken cancellationToken)
    {
        var snapshot = TakeExportSnapshot();
        var records = new List<NodeOpRecord>();
        await foreach (var r in _store.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (r.Own)
            {
                if (r.Op.Seq > (ulong)snapshot.Own.Length) continue;
                var (position, refused, detail) = snapshot.Own[r.Op.Seq - 1];
                records.Add(r with { Position = position, RefusedBy = refused ? detail ?? r.RefusedBy ?? "refused" : null });
            }
            else if (r.Position is { } p && p < snapshot.Cursor)
            {
                records.Add(r);
            }
        }

        var witnesses = await _store.LoadWitnessesAsync(cancellationToken).ConfigureAwait(false);
        return (NodeExport.Create(Ledger, Author, snapshot.Cursor, snapshot.StateHash, records, witnesses, snapshot.Key), (ulong)snapshot.Own.Length);
    }

    /// <summary>The eviction policy's check after an append: export when too much unacknowledged work is not
    /// in the last export, or it is too old. Runs on every append, so the common case costs O(1): own seqs are
    /// 1…n, and everything up to <see cref="_riskScanFrom"/> is known acknowledged, refused or exported.</summary>
    private async Task AutoExportIfAtRiskAsync(bool closing)
    {
        if (_options.AutoExport is not { } policy) return;
        if (!closing && _lastExportFailure is not null && _log.Seq < _exportRetryAfterSeq && _options.Time.GetUtcNow() < _exportRetryAfter) return;
        if (!closing && !MayBeAtRisk(policy)) return;
        await _exportGate.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_foldGate)
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
                (bytes, through) = await ExportCoreAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (!closing && e is not InvalidOperationException)
            {
                // The store could not be read: like a failed write below, the append that asked still succeeded.
                _lastExportFailure = e;
                _exportRetryAfterSeq = _log.Seq + (ulong)Math.Max(1, policy.MaxUncoveredOps);
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
                _exportRetryAfterSeq = _log.Seq + (ulong)Math.Max(1, policy.MaxUncoveredOps);
                _exportRetryAfter = _options.Time.GetUtcNow() + policy.MaxUncoveredAge;
                return;
            }

            _exportedThroughSeq = through;
            _lastExportFailure = null;
        }
        finally
        {
            _exportGate.Release();
        }
    }

    /// <summary>An upper bound, in O(1): could the ops after the covered prefix be due for an export?</summary>
    private bool MayBeAtRisk(AutoExportPolicy policy)
    {
        lock (_foldGate)
        {
            var from = Math.Max(_riskScanFrom, _exportedThroughSeq);
            var tip = (ulong)_own.Count;
            if (tip - Math.Min(from, tip) >= (ulong)policy.MaxUncoveredOps) return true;
            return _own.TryGetValue(from + 1, out var first)
                && _options.Time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(first.At) >= policy.MaxUncoveredAge;
        }
    }

    /// <summary>Own ops after the last export that no relay acknowledged; moves the covered prefix forward.
    /// Called under the fold gate.</summary>
    private List<OwnLadder.OwnOp> UncoveredOwnOps()
    {
        var from = Math.Max(_riskScanFrom, _exportedThroughSeq);
        var uncovered = new List<OwnLadder.OwnOp>();
        for (var seq = from + 1; seq <= (ulong)_own.Count; seq++)
        {
            var own = _own[seq];
            if (own.Rung is DurabilityRung.Local or DurabilityRung.Syncing) uncovered.Add(own);
            else if (uncovered.Count == 0) _riskScanFrom = seq;
        }

        return uncovered;
    }
}
