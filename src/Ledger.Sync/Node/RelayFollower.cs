using System.Globalization;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The relay follower of a node: one sync round pushes the unacknowledged tail of the own chain and records
/// the positions the relay gives, then pulls the relay's order from the node's cursor, verifies it (chains, the
/// witness's checkpoint), persists and folds it; it pins the relay log (origin) the positions refer to.</summary>
/// <remarks>One round at a time (<see cref="NodeLocks.Sync"/>, rank 1, held across the whole round and its store
/// and relay calls); the fold gate (rank 5) is taken only between awaits.</remarks>
internal sealed class RelayFollower
{
    private readonly NodeOptions _options;
    private readonly INodeStore _store;
    private readonly NodeLocks _locks;
    private readonly LocalReplica _replica;
    private readonly AppendPipeline _pipeline;
    private readonly RelayWitness _witness;
    private readonly AtRiskExporter _exporter;
    private NodeMetrics _metrics = null!;

    public RelayFollower(NodeOptions options, INodeStore store, NodeLocks locks, LocalReplica replica, AppendPipeline pipeline, RelayWitness witness, AtRiskExporter exporter)
    {
        _options = options;
        _store = store;
        _locks = locks;
        _replica = replica;
        _pipeline = pipeline;
        _witness = witness;
        _exporter = exporter;
    }

    /// <summary>Starts reporting rounds to the node's meter.</summary>
    public void Start(NodeMetrics metrics) => _metrics = metrics;

    /// <summary>One sync round: push the unacknowledged tail of the own chain, then pull from the last
    /// position, verify, persist and fold. Offline is normal: nothing is lost and the round reports it.</summary>
    /// <exception cref="SyncException">The relay served something that cannot be trusted (nothing of it was stored), or the
    /// node's store could not read own ops to push (they stay Local; the others' ops were pulled first).</exception>
    public async Task<SyncResult> SyncAsync(IRelayProtocol relay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(relay);
        _witness.ThrowIfFrozen();
        // A push hands stored bytes on: not before the store's whole-file check passed (risk B2, IStoreIntegrity).
        await StoreIntegrityGate.EnsureIntactAsync(_store, cancellationToken).ConfigureAwait(false);
        await _locks.Sync.WaitAsync(cancellationToken).ConfigureAwait(false);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = "failed";
        using var activity = SyncTrace.StartRound(_options.Ledger, _pipeline.Author);
        try
        {
            var result = await SyncRoundAsync(relay, cancellationToken).ConfigureAwait(false);
            if (_replica.Checkpoints is { } checkpoints) await checkpoints.FlushAsync(cancellationToken).ConfigureAwait(false);
            outcome = result.Offline ? "offline" : "ok";
            return result;
        }
        finally
        {
            SyncTrace.EndRound(activity, outcome);
            _locks.Sync.Release();
            _metrics.Synced(outcome, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<SyncResult> SyncRoundAsync(IRelayProtocol relay, CancellationToken cancellationToken)
    {
        int pushed, acked, refused;
        bool offline;
        Exception? unreadable = null;
        try
        {
            await RefetchOwnOpsAsync(relay, cancellationToken).ConfigureAwait(false);
        }
        catch (RelayUnavailableException)
        {
            return new SyncResult(0, 0, 0, 0, true, null);
        }

        try
        {
            (pushed, acked, refused, offline) = await PushAsync(relay, cancellationToken).ConfigureAwait(false);
        }
        catch (OwnOpsUnreadableException e)
        {
            // The node's own store failed to give the bytes to push: the others' ops are still pulled (a store that
            // cannot read one row must not cut the device off), then the round reports the failure.
            (pushed, acked, refused, offline, unreadable) = (0, 0, 0, false, e.InnerException);
        }

        if (offline) return new SyncResult(pushed, acked, refused, 0, true, null);
        SyncResult result;
        try
        {
            var (pulled, size) = await PullAsync(relay, cancellationToken).ConfigureAwait(false);
            await _witness.GossipAsync(relay, cancellationToken).ConfigureAwait(false);
            _witness.ThrowIfFrozen();
            result = new SyncResult(pushed, acked, refused, pulled, false, size);
        }
        catch (RelayUnavailableException)
        {
            result = new SyncResult(pushed, acked, refused, 0, true, null);
        }

        if (unreadable is not null)
        {
            throw Error.Sync($"the node store could not read own ops to push ({unreadable.Message}); they stay Local and are pushed once it can. The others' ops were pulled.", unreadable);
        }

        return result;
    }

    /// <summary>A store rolled back below its high-water mark lost own ops it had committed: fetch them back from the
    /// relay (verified as the continuation of the own chain, stored with their positions, folded as Durable) before
    /// anything is pushed or signed. The pipeline resumes once the mark's seq is back.</summary>
    private async Task RefetchOwnOpsAsync(IRelayProtocol relay, CancellationToken cancellationToken)
    {
        if (_pipeline.RolledBackFrom is not { } mark) return;
        var author = _pipeline.Author;
        while (true)
        {
            AuthorChainVerifier trial;
            lock (_locks.Fold) trial = _replica.OwnChain.Clone();
            if (trial.Seq >= mark.Seq) break;
            var page = await relay.FetchAuthorAsync(author, trial.Seq + 1, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) break;
            var fetched = new List<(SignedOp Op, long Position)>();
            foreach (var (position, bytes) in page)
            {
                if (!SignedOpCodec.TryDecode(bytes, out var op, out var error)) throw Error.Sync($"the relay answered the fetch of {author} with undecodable bytes at position {position}: {error!.Message}");
                if (op!.Op.Author != author || op.Op.Seq != trial.Seq + 1)
                {
                    throw Error.Sync($"the relay answered the fetch of {author} from seq {trial.Seq + 1} with {op.Ref}.");
                }

                var check = trial.Append(op);
                if (!check.IsOk) throw Error.Sync($"the relay served {op.Ref} at position {position}, which does not continue this node's chain: {check.Break}: {check.Detail}");
                fetched.Add((op, position));
            }

            // Stored before folded, as every op: the store's high-water mark rises with them.
            using var storing = _replica.Checkpoints?.Open?.BeginStore();
            await _store.AppendAsync(fetched.Select(f => new NodeOpRecord(f.Op.Ref, f.Op.Bytes, true, f.Position)).ToArray(), null, CancellationToken.None).ConfigureAwait(false);
            lock (_locks.Fold)
            {
                _replica.Verifiers[author] = trial;
                var outcomes = new List<ApplyResult>();
                foreach (var (op, position) in fetched)
                {
                    _replica.Track(op.Op);
                    outcomes.Add(_replica.Kernel.Apply(op.Op));
                    _replica.Own.Add(op, DurabilityRung.Durable, position, null);
                    outcomes.AddRange(_replica.Kernel.AssignPosition(op.Ref, position));
                }

                _replica.RecordOutcomes(outcomes);
            }
        }

        _pipeline.ResumeAfterRefetch();
    }

    /// <summary>The store failed to give the bytes of own ops being pushed (the ops went back to Local).</summary>
    internal sealed class OwnOpsUnreadableException(Exception inner) : Exception(inner.Message, inner);

    /// <summary>The origin of the relay log this node's cursor and relay positions refer to: positions are
    /// (origin, index). Null until a relay named itself.</summary>
    public string? RelayOrigin => _replica.RelayOrigin;

    /// <summary>Records the relay log the positions refer to, in the store and in memory (read by every ladder query).</summary>
    private async Task PinOriginAsync(string? origin, CancellationToken cancellationToken)
    {
        if (origin is null) return;
        await _store.SetRelayOriginAsync(origin, cancellationToken).ConfigureAwait(false);
        _replica.RelayOrigin = origin;
    }

    /// <summary>An answer must come from the log this node's positions refer to. Returns the origin to pin once the
    /// answer's batch is stored (null: nothing changes), or throws before anything is stored.</summary>
    /// <remarks>A node with no positions yet pins the first relay that names itself. A node that holds positions
    /// (reopened after an import or a recovery, or following a relay rebuilt as the successor of its log —
    /// <see cref="RelayRebuild.SuccessorOrigin"/>) first checks that the relay holds, at every position it
    /// holds, the very op it holds there. Any other log is refused: mixing the indices of two logs would corrupt
    /// the ladder and the claim order.</remarks>
    private async Task<string?> AcceptOriginAsync(IRelayProtocol relay, string? origin, CancellationToken cancellationToken)
    {
        if (origin is null) return null; // a transport that does not say
        var pinned = _replica.RelayOrigin;
        if (pinned == origin) return null;
        if (pinned is not null)
        {
            if (!RelayRebuild.IsSuccessorOf(origin, pinned, out var size, out var rootPrefix))
            {
                throw Error.Sync($"this node's cursor and positions refer to relay log '{pinned}'; '{origin}' is another log. A node follows one relay log or the successor rebuilt from it (RelayRebuild.SuccessorOrigin).");
            }

            if (_witness.WitnessedCheckpoint is { } seen && seen.Origin == pinned)
            {
                if (seen.Size > size)
                {
                    throw Error.Sync(string.Create(CultureInfo.InvariantCulture,
                        $"'{origin}' was rebuilt from {size} ops of '{pinned}', but this node witnessed {seen.Size}: it lacks positions this node saw; re-open this node from its export."));
                }

                if (seen.Size == size && !seen.Root.ToArray().AsSpan(0, rootPrefix.Length).SequenceEqual(rootPrefix.Span))
                {
                    throw Error.Sync($"'{origin}' commits to another root of '{pinned}' than this node witnessed at size {size}: it is not a successor of the log this node saw.");
                }
            }
        }

        await CheckLogAgreesAsync(relay, origin, pinned, cancellationToken).ConfigureAwait(false);
        return origin;
    }

    /// <summary>Reads the relay's log up to the highest position this node holds and compares it, position by
    /// position, with what the node holds (once, when a log is first pinned or succeeded).</summary>
    private async Task CheckLogAgreesAsync(IRelayProtocol relay, string origin, string? pinned, CancellationToken cancellationToken)
    {
        var held = new Dictionary<long, Hash32>();
        await foreach (var record in _store.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (record.Position is { } position) held[position] = Hash32.Sha256(record.Bytes.Span);
        }

        if (held.Count == 0) return;
        var end = held.Keys.Max() + 1;
        for (var from = 0L; from < end;)
        {
            var page = await relay.PullAsync(from, (int)Math.Min(_options.PullBatch, end - from), cancellationToken).ConfigureAwait(false);
            if (page.Ops.Count == 0) break;
            if (page.Origin is { } answered && answered != origin) throw Error.Sync($"reading relay '{origin}' was answered by '{answered}': two logs behind one transport.");
            foreach (var (position, bytes) in page.Ops)
            {
                if (held.Remove(position, out var mine) && Hash32.Sha256(bytes.Span) != mine)
                {
                    throw Error.Sync(string.Create(CultureInfo.InvariantCulture,
                        $"relay '{origin}' holds another op at position {position} than this node{(pinned is null ? "" : $" holds from '{pinned}'")}: its positions mean something else here. Re-open this node from its export against the relay it came from."));
                }
            }

            if (page.Ops[^1].Position < from) throw Error.Sync($"relay '{origin}' answered a read from position {from} with earlier positions.");
            from = page.Ops[^1].Position + 1;
        }

        if (held.Count > 0)
        {
            throw Error.Sync(string.Create(CultureInfo.InvariantCulture,
                $"relay '{origin}' lacks {held.Count} position(s) this node holds (from {held.Keys.Min()}): it is not the log this node's positions refer to."));
        }
    }

    private async Task<(int Pushed, int Acked, int Refused, bool Offline)> PushAsync(IRelayProtocol relay, CancellationToken cancellationToken)
    {
        using var activity = SyncActivities.Start("ledger.push", System.Diagnostics.ActivityKind.Client);
        int pushed = 0, acked = 0, refused = 0;
        while (true)
        {
            List<OwnLadder.OwnOp> batch;
            lock (_locks.Fold)
            {
                batch = _replica.Own.Unacknowledged(_options.PushBatch);
                foreach (var o in batch) o.Rung = DurabilityRung.Syncing;
            }

            if (batch.Count == 0) return (pushed, acked, refused, false);
            IngestResponse response;
            string? pin;
            IReadOnlyList<ReadOnlyMemory<byte>> bytes;
            try
            {
                bytes = await _store.LoadAsync(batch.Select(o => o.Ref).ToArray(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                lock (_locks.Fold)
                {
                    foreach (var o in batch.Where(o => o.Rung == DurabilityRung.Syncing)) o.Rung = DurabilityRung.Local;
                }

                throw Error.OwnOpsUnreadable(e);
            }

            try
            {
                response = await relay.PushAsync(bytes, cancellationToken).ConfigureAwait(false);
                pin = await AcceptOriginAsync(relay, response.Origin, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Whether or not it arrived, no log this node follows is known to hold it: back to Local (a resend
                // is idempotent).
                lock (_locks.Fold)
                {
                    foreach (var o in batch.Where(o => o.Rung == DurabilityRung.Syncing)) o.Rung = DurabilityRung.Local;
                }

                if (e is RelayUnavailableException) return (pushed, acked, refused, true);
                throw;
            }

            pushed += batch.Count;
            var positions = new List<(OpRef, long)>();
            var retry = false;
            for (var i = 0; i < batch.Count; i++)
            {
                var result = response.Results.ElementAtOrDefault(i);
                if (result is { Held: true, Position: { } p })
                {
                    positions.Add((batch[i].Ref, p));
                }
                else if (result is { Refusal: IngestRefusal.Fork or IngestRefusal.InvalidChain or IngestRefusal.Malformed or IngestRefusal.WrongLedger })
                {
                    await _store.MarkRefusedAsync(batch[i].Ref, $"{result.Refusal}: {result.Detail}", CancellationToken.None).ConfigureAwait(false);
                    lock (_locks.Fold)
                    {
                        batch[i].Rung = DurabilityRung.Refused;
                        batch[i].Detail = $"{result.Refusal}: {result.Detail}";
                        batch[i].Done?.TrySetException(Error.OpRefused(batch[i].Ref, batch[i].Detail!));
                    }

                    refused++;
                }
                else
                {
                    // A gap (the relay lost our earlier ops), a full store, an oversized batch: not held, retry later.
                    lock (_locks.Fold)
                    {
                        batch[i].Rung = DurabilityRung.Local;
                        if (result is { Refusal: IngestRefusal.Gap, SendFromSeq: { } from }) DemoteLost(from);
                    }

                    retry = true;
                }
            }

            // Persist the acknowledgements before the ladder says durable. The relay holds the batch whatever the caller's
            // token says now: recording that is not cancelled half way.
            await _store.SetPositionsAsync(positions, CancellationToken.None).ConfigureAwait(false);
            await PinOriginAsync(pin, CancellationToken.None).ConfigureAwait(false);
            lock (_locks.Fold)
            {
                var outcomes = new List<ApplyResult>();
                foreach (var (op, position) in positions)
                {
                    var own = _replica.Own[op.Seq];
                    own.MarkHeld();
                    if (own.Position is { } earlier && earlier != position)
                    {
                        // The relay acknowledged this op before at another position: it lost data and re-sequenced.
                        // The first order stays the one this node folded; the discrepancy is kept on the op.
                        own.Detail = $"the relay acknowledged it at position {earlier} before and at {position} after losing it.";
                        continue;
                    }

                    own.Position = position;
                    outcomes.AddRange(_replica.Kernel.AssignPosition(op, position));
                }

                acked += positions.Count;
                _replica.RecordOutcomes(outcomes);
            }

            if (retry || batch.Count < _options.PushBatch) return (pushed, acked, refused, false);
        }
    }

    private async Task<(int Pulled, long RelaySize)> PullAsync(IRelayProtocol relay, CancellationToken cancellationToken)
    {
        using var activity = SyncActivities.Start("ledger.pull", System.Diagnostics.ActivityKind.Client);
        var pulled = 0;
        while (true)
        {
            var cursor = _store.Cursor;
            var response = await relay.PullAsync(cursor, _options.PullBatch, cancellationToken).ConfigureAwait(false);
            var pin = await AcceptOriginAsync(relay, response.Origin, cancellationToken).ConfigureAwait(false);
            if (response.Ops.Count == 0)
            {
                if (response.Checkpoint is { } tail && _options.TrustedRelay is not null && _witness.VerifyPulled([], tail, cursor) is { } caughtUp)
                {
                    await _witness.AdvanceWitnessAsync(caughtUp.Item1, caughtUp.Item2, cancellationToken).ConfigureAwait(false);
                }

                await PinOriginAsync(pin, cancellationToken).ConfigureAwait(false);
                lock (_locks.Fold) _replica.RecordOutcomes(_replica.Kernel.AdvanceRelayFrontier(cursor));
                _replica.CompleteCriticalOps();
                return (pulled, response.RelaySize);
            }

            var foreign = new List<(SignedOp Op, long Position)>();
            var ownPositions = new List<(OpRef, long)>();
            var trial = new Dictionary<AuthorId, AuthorChainVerifier>();
            var expected = cursor;
            foreach (var (position, bytes) in response.Ops)
            {
                if (position != expected) throw Error.Sync($"the relay served position {position} where {expected} was expected: a hole in its order.");
                expected++;
                if (!SignedOpCodec.TryDecode(bytes, out var op, out var error)) throw Error.Sync($"the relay served undecodable bytes at position {position}: {error!.Message}");
                if (op!.Op.Author == _pipeline.Author)
                {
                    lock (_locks.Fold)
                    {
                        if (!_replica.Own.TryGetValue(op.Op.Seq, out var mine) || mine.ChainHash != op.ChainHash)
                        {
                            throw Error.Sync($"the relay holds {op.Ref} at position {position}, which this node did not sign: recover the author before signing again.");
                        }
                    }

                    ownPositions.Add((op.Ref, position));
                    continue;
                }

                AuthorChainVerifier verifier;
                lock (_locks.Fold)
                {
                    verifier = trial.TryGetValue(op.Op.Author, out var v) ? v
                        : trial[op.Op.Author] = _replica.Verifiers.TryGetValue(op.Op.Author, out var known) ? known.Clone() : new AuthorChainVerifier(_options.Ledger, op.Op.Author);
                }

                if (op.Op.Seq <= verifier.Seq) continue;
                var check = verifier.Append(op);
                if (!check.IsOk) throw Error.Sync($"the relay served {op.Ref} at position {position}, which does not verify: {check.Break}: {check.Detail}");
                foreign.Add((op, position));
            }

            // The relay must have signed exactly this prefix: checked before anything is stored.
            var witnessed = _witness.VerifyPulled(response.Ops, response.Checkpoint, expected);
            await _witness.CheckAgainstWitnessAsync(cursor, relay, cancellationToken).ConfigureAwait(false);

            // One transaction: the new ops and the cursor; then the acknowledgements it carried for own ops.
            using var storing = _replica.Checkpoints?.Open?.BeginStore();
            await _store.AppendAsync(foreign.Select(f => new NodeOpRecord(f.Op.Ref, f.Op.Bytes, false, f.Position)).ToArray(), expected, cancellationToken).ConfigureAwait(false);
            await _store.SetPositionsAsync(ownPositions, CancellationToken.None).ConfigureAwait(false);
            await PinOriginAsync(pin, CancellationToken.None).ConfigureAwait(false);
            lock (_locks.Fold)
            {
                foreach (var (author, verifier) in trial) _replica.Verifiers[author] = verifier;
                var outcomes = new List<ApplyResult>();
                var queue = new Queue<(SignedOp Op, long Position)>(foreign);
                foreach (var (position, _) in response.Ops)
                {
                    if (queue.Count > 0 && queue.Peek().Position == position)
                    {
                        var (op, p) = queue.Dequeue();
                        _replica.Track(op.Op);
                        outcomes.Add(_replica.Kernel.Apply(op.Op, p));
                    }
                }

                foreach (var (op, position) in ownPositions)
                {
                    var own = _replica.Own[op.Seq];
                    own.Position ??= position;
                    own.MarkHeld();
                    outcomes.AddRange(_replica.Kernel.AssignPosition(op, position));
                }

                outcomes.AddRange(_replica.Kernel.AdvanceRelayFrontier(expected));
                _replica.FoldedCursor = expected;
                _replica.RecordOutcomes(outcomes);
            }

            if (witnessed is { } w) await _witness.AdvanceWitnessAsync(w.Item1, w.Item2, CancellationToken.None).ConfigureAwait(false);
            pulled += response.Ops.Count;
            _replica.CompleteCriticalOps();
        }
    }

    /// <summary>The relay says it holds this author only below <paramref name="fromSeq"/>: own ops from there that
    /// the ladder counted durable are not held any more. Back to Local, so they are pushed again.</summary>
    private void DemoteLost(ulong fromSeq)
    {
        // A node that opened from its checkpoint holds its settled own ops only as a compacted prefix (risk B2).
        if (fromSeq <= _replica.Own.CompactedThrough) throw OwnLadderExpansion.Needed(fromSeq, _replica.Own.CompactedThrough);
        _exporter.RescanFrom(fromSeq);
        _replica.Own.MarkNotHeldFrom(fromSeq, "the relay no longer holds it; pushing it again.");
    }
}
