using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The relay: a dumb, verifying sequencer. It checks every op's signature, chain and key state,
/// persists a batch before acknowledging anything in it, assigns the total order, and serves ops from a
/// position. It folds nothing and accepts any manifest. Ingest is idempotent by (author, seq) + hash: a
/// resend gets its original position, across restarts; another op at a taken (author, seq) is refused and
/// kept as ClientFork evidence; a gap is refused with "send from seq N".</summary>
/// <remarks>Thread-safe: batches are ingested one at a time, in arrival order. Over a shared store (PostgreSQL) the
/// batches that wait for the one being stored are ingested together, in one transaction, each answered as if alone
/// (group commit, Relay.Group.cs).</remarks>
public sealed partial class Relay : IRelayProtocol, IRelayBootstrap, IDisposable
{
    private readonly IRelayStore _store;
    // Cosigned notes posted to this instance; every TrimEvery-th trims the store to the newest MaxCosignatures.
    private const int TrimEvery = 64;
    private long _cosignaturesPosted;
    private readonly RelayOptions _options;
    private readonly Dictionary<AuthorId, AuthorChainVerifier> _verifiers = new();
    // Each author's last accepted signer, read without the gate by PreparedBatch (see there); one entry per author the
    // store holds, like the verifiers.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<AuthorId, VerificationKey> _lastSigners = new();
    // One async gate: batches are ingested one at a time in arrival order, and reads see a store, tree and verifiers
    // that agree. It is a semaphore, not a lock: the store is awaited under it (a network store's I/O blocks no thread).
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _disposed;
    private readonly EvidenceOutbox _evidence;
    private readonly RelayMetrics _metrics;
    private MerkleTree? _tree;
    // The last note signed, as one reference (read without the gate by GetCheckpointAsync's fast path: a reference is
    // read whole, a (long, byte[]) tuple could be read torn).
    private SignedCheckpointNote? _lastCheckpoint;
    // The one signing of the latest checkpoint in flight, which callers that miss the cache join (see GetCheckpointAsync).
    // Lock order: _flightLock is never held while waiting for _gate (the flight takes the gate after the lock is released).
    private readonly Lock _flightLock = new();
    private CheckpointFlight? _flight;
    // The largest tree head this relay signed over a store that keeps its own tree: every later root it signs must be
    // consistent with it (see CheckAgainstSignedHeadAsync).
    private (long Size, Hash32 Root)? _signedHead;

    static Relay() => SplitViewEvidence.Register();

    /// <summary>Creates a relay over <paramref name="store"/>.</summary>
    public Relay(RelayOptions options, IRelayStore store)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        if (!LedgerName.IsValid(options.Ledger)) throw Error.Argument("RelayOptions.Ledger must name the ledger.", nameof(options));
        _options = options;
        _store = store;
        _evidence = new EvidenceOutbox(store);
        _metrics = new RelayMetrics(options, () => Commits);
        if (options.Origin is { } origin && !NoteKey.IsValidName(origin))
        {
            throw Error.Argument($"RelayOptions.Origin '{origin}' cannot name a checkpoint key: it must be 1 to 256 characters, without spaces or '+'.", nameof(options));
        }
    }

    /// <summary>The ledger.</summary>
    public string Ledger => _options.Ledger;

    /// <summary>The number of ops in the total order.</summary>
    public long Size => _store.Count;

    /// <summary>Store transactions that stored pushed ops: one per push ingested alone, one per group of pushes stored
    /// together (group commit). Read by the metric <c>ledger.relay.commits</c> when a listener collects it.</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    private long _commits;

    /// <summary>The store.</summary>
    public IRelayStore Store => _store;

    /// <summary>The log identity checkpoints name.</summary>
    public string Origin => _options.Origin ?? "ledger-relay/" + _options.Ledger;

    /// <summary>The checkpoint verifier key (null when the relay signs no checkpoints).</summary>
    public NoteKey? CheckpointVerifierKey => _options.CheckpointKey is { } key ? NoteKey.Create(Origin, key.Public) : null;

    /// <summary>Called after a batch is persisted and before it is acknowledged (tests use it to crash there).</summary>
    public Action<IReadOnlyList<StoredOp>>? AfterPersist { get; set; }

    /// <summary>Ingests a batch of signed op bytes; returns one result per op, in order.</summary>
    /// <exception cref="ObjectDisposedException">The relay was disposed (a push still waiting for its gate then fails
    /// with it, nothing of it stored).</exception>
    public async Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var activity = SyncActivities.Start("ledger.ingest");
        activity?.SetTag("ledger.name", Ledger);
        activity?.SetTag("ledger.ops", batch.Count);
        IngestResponse? response;
        // Before the gate: what depends only on the ops' bytes (and a key), so a batch does it while another batch holds
        // the gate (verified, stored and committed one at a time). Measured: ingest was verify time plus store time.
        var prepared = batch.Count > _options.MaxBatch ? null : PreparedBatch.Of(batch, _lastSigners, VerifyParallelism);
        // Each batch is a store transaction that waits for its commit (a WAL flush; over a shared store also the
        // ledger's counter row) under the gate: pushes waiting for the gate are ingested together, in one transaction
        // (Relay.Group.cs). Measured: one SQLite relay's pushes queued behind a commit each with a core still idle.
        response = await PushGroupedAsync(batch, prepared, cancellationToken).ConfigureAwait(false);

        _metrics.Pushed(response, batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return response;
    }

    private const int MaxConflictRetries = 8;

    // Under the gate: one batch alone, ingested again while a shared store refuses it for a conflict.
    private async Task<IngestResponse> IngestWithRetriesAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, PreparedBatch? prepared, CancellationToken cancellationToken)
    {
        // A shared store refuses a batch another instance got ahead of (an (author, seq) of it is taken): the
        // authors' chains are reread and the batch ingested again, where those ops are duplicates or forks. Each
        // attempt rereads what was taken, so a few suffice unless instances keep racing on the same authors.
        IngestResponse? response;
        var attempt = 0;
        while ((response = await IngestAsync(batch, prepared, _store, null, cancellationToken).ConfigureAwait(false)) is null)
        {
            if (++attempt == MaxConflictRetries)
            {
                throw Error.RelayStoreConflict($"the batch lost the race for its (author, seq) to other relay instances {MaxConflictRetries} times; nothing of it was stored, send it again.");
            }
        }

        return response;
    }

    private ParallelOptions VerifyParallelism => new() { MaxDegreeOfParallelism = _options.VerifyThreads ?? Environment.ProcessorCount };

    // Null when a shared store refused the batch for a conflict (see PushAsync). Reads and the append go to
    // <paramref name="store"/>: the relay's store, or, for a member of a group, the group's view of it (the store with the
    // earlier members' ops as if stored); a member's evidence, tree leaves and AfterPersist wait for the group's commit.
    private async Task<IngestResponse?> IngestAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, PreparedBatch? prepared, IRelayStore store, GroupMember? member, CancellationToken cancellationToken)
    {
        {
            if (batch.Count > _options.MaxBatch)
            {
                return new IngestResponse(batch.Select((_, i) => new IngestResult(i, null, IngestStatus.Refused, Refusal: IngestRefusal.BatchTooLarge,
                    Detail: $"a batch carries at most {_options.MaxBatch} ops; this one has {batch.Count}.")).ToArray(), store.Count, Origin,
                    new Dictionary<AuthorId, ulong>());
            }

            var results = new IngestResult?[batch.Count];
            var trial = new Dictionary<AuthorId, AuthorChainVerifier>();
            var candidates = new List<(int Index, SignedOp Op, VerificationKey Signer)>();
            var pendingByRef = new Dictionary<OpRef, int>();
            // 0. Decoded, leaf-hashed and (speculatively) signature-checked before the gate (PreparedBatch).
            var decoded = prepared!.Decoded;
            var malformed = prepared.Malformed;
            // Always kept with the accepted ops: the in-memory tree appends them, a store that keeps its own tree takes them.
            var leaves = prepared.Leaves;
            var forks = new List<Evidence>();
            // Authors whose chain was reread from a shared store in this batch (another instance may have advanced it).
            var reread = new HashSet<AuthorId>();
            var parallel = VerifyParallelism;

            // 1. Structure, in order: ledger, duplicates and forks, gaps, chain and key rules.
            for (var i = 0; i < batch.Count; i++)
            {
                var op = decoded[i];
                if (op is null)
                {
                    results[i] = new IngestResult(i, null, IngestStatus.Refused, Refusal: IngestRefusal.Malformed, Detail: malformed[i]!.Message);
                    continue;
                }

                if (op.Ledger != Ledger)
                {
                    results[i] = Refuse(i, op, IngestRefusal.WrongLedger, $"signed for ledger '{op.Ledger}', not '{Ledger}'.");
                    continue;
                }

                var verifier = trial.TryGetValue(op.Op.Author, out var v) ? v
                    : trial[op.Op.Author] = (await VerifierForAsync(store, op.Op.Author, cancellationToken).ConfigureAwait(false)).Clone();
                if (op.Op.Seq <= verifier.Seq)
                {
                    results[i] = await RepeatAsync(store, i, op, pendingByRef, decoded, forks, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (op.Op.Seq > verifier.Seq + 1 && _store is ISharedRelayStore && !pendingByRef.Keys.Any(r => r.Author == op.Op.Author) && reread.Add(op.Op.Author))
                {
                    // The cached chain may lag a shared store (other instances append too): reread it once before
                    // calling this a gap.
                    _verifiers.Remove(op.Op.Author);
                    trial[op.Op.Author] = (await VerifierForAsync(store, op.Op.Author, cancellationToken).ConfigureAwait(false)).Clone();
                    i--;
                    continue;
                }

                if (op.Op.Seq > verifier.Seq + 1)
                {
                    results[i] = new IngestResult(i, op.Ref, IngestStatus.Refused, Refusal: IngestRefusal.Gap, SendFromSeq: verifier.Seq + 1,
                        Detail: $"the relay holds {op.Op.Author} up to seq {verifier.Seq}; send from seq {verifier.Seq + 1}.");
                    continue;
                }

                var check = verifier.AppendDeferringSignatureCheck(op, out var signer);
                if (!check.IsOk && _store is ISharedRelayStore && !pendingByRef.Keys.Any(r => r.Author == op.Op.Author) && reread.Add(op.Op.Author))
                {
                    // The same for an op that breaks the cached chain: another instance may hold that seq already, and
                    // then it is a repeat or a fork (kept as evidence), not a broken chain. Found by the group-commit
                    // review: a fork pushed to an instance whose cache lagged was refused as a wrong prev, its evidence lost.
                    _verifiers.Remove(op.Op.Author);
                    trial[op.Op.Author] = (await VerifierForAsync(store, op.Op.Author, cancellationToken).ConfigureAwait(false)).Clone();
                    i--;
                    continue;
                }

                if (!check.IsOk)
                {
                    results[i] = new IngestResult(i, op.Ref, IngestStatus.Refused, Refusal: IngestRefusal.InvalidChain, Break: check.Break, Detail: check.Detail);
                    continue;
                }

                candidates.Add((i, op, signer!));
                pendingByRef[op.Ref] = i;
            }

            // 2. Signatures, in parallel: a check made before the gate counts only when it used the very key the chain
            // names now (a signature check is a pure function of the bytes and the key).
            var bad = new bool[candidates.Count];
            Parallel.For(0, candidates.Count, parallel, k =>
            {
                var (index, op, signer) = candidates[k];
                bad[k] = prepared.TryGetCheck(index, signer, out var verified) ? !verified : !op.VerifySignature(signer);
            });

            // 3. Positions for what verified; an author's ops after a refused one are refused too.
            var refusedAuthors = new Dictionary<AuthorId, ulong>();
            var accepted = new List<StoredOp>();
            var acceptedLeaves = new List<Hash32>();
            // The tentative positions start here. A shared store's count can move outside the gate (its listener sees
            // other instances' commits), so the shift below is taken from this same reading, never from a second one:
            // reading the count twice told an op a position off by the ops another instance stored in between.
            var tentative = store.Count;
            var next = tentative;
            for (var k = 0; k < candidates.Count; k++)
            {
                var (index, op, signer) = candidates[k];
                if (refusedAuthors.TryGetValue(op.Op.Author, out var at))
                {
                    results[index] = Refuse(index, op, IngestRefusal.AfterRefused, $"an earlier op of {op.Op.Author} in this batch (seq {at}) was refused; send from seq {at}.");
                    continue;
                }

                if (bad[k])
                {
                    refusedAuthors[op.Op.Author] = op.Op.Seq;
                    results[index] = new IngestResult(index, op.Ref, IngestStatus.Refused, Refusal: IngestRefusal.InvalidChain, Break: ChainBreak.BadSignature,
                        Detail: $"the signature does not verify under key {signer.Id}.");
                    continue;
                }

                accepted.Add(new StoredOp(next, op.Op.Author, op.Op.Seq, op.ChainHash, op.Bytes, KeyEvents.IsKeyEvent(op.Op)));
                // The key the author's next op is most likely signed with: a hint for PreparedBatch, never trusted.
                _lastSigners[op.Op.Author] = signer;
                acceptedLeaves.Add(leaves[index]);
                results[index] = new IngestResult(index, op.Ref, IngestStatus.Accepted, next);
                next++;
            }

            // 4. Persist, then acknowledge. A shared store assigns the positions itself (other instances append too):
            // the tentative ones are shifted to where the batch landed.
            var first = tentative;
            try
            {
                if (store is ISharedRelayStore shared)
                {
                    if (accepted.Count > 0)
                    {
                        // The leaves hashed before the gate go with the ops: the store does not hash them again.
                        first = shared is ILeafHashedRelayStore hashed
                            ? await hashed.AppendSequencedAsync(accepted, acceptedLeaves, cancellationToken).ConfigureAwait(false)
                            : await shared.AppendSequencedAsync(accepted, cancellationToken).ConfigureAwait(false);
                    }
                }
                else if (store is ILeafHashedAppendStore hashed)
                {
                    await hashed.AppendAsync(accepted, acceptedLeaves, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await store.AppendAsync(accepted, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (RelayStoreConflictException)
            {
                // Another instance stored one of these (author, seq) first: nothing of the batch is held. The cached
                // chains of its authors are stale; the caller ingests the batch again.
                foreach (var author in trial.Keys) _verifiers.Remove(author);
                return null;
            }
            catch (StorageFullException e)
            {
                foreach (var fork in forks) _evidence.Add(fork);
                // Nothing of the batch is held: its new ops and every repeat of them within the batch are refused.
                await _evidence.FlushAsync(cancellationToken).ConfigureAwait(false);
                return new IngestResponse(results.Select((r, i) => r!.Status == IngestStatus.Accepted || (r is { Status: IngestStatus.Duplicate, Position: null })
                    ? new IngestResult(i, r.Op, IngestStatus.Refused, Refusal: IngestRefusal.StoreFull, Detail: e.Message)
                    : r).ToArray(), store.Count, Origin, await NextSeqOfAsync(store, trial.Keys, cancellationToken).ConfigureAwait(false));
            }

            // A push ingested alone (not a group's member) that stored ops was one store transaction.
            if (member is null && accepted.Count > 0) Interlocked.Increment(ref _commits);

            if (first != tentative)
            {
                var shift = first - tentative;
                for (var k = 0; k < accepted.Count; k++) accepted[k] = accepted[k] with { Position = accepted[k].Position + shift };
                for (var i = 0; i < results.Length; i++)
                {
                    if (results[i] is { Status: IngestStatus.Accepted, Position: { } p } r) results[i] = r with { Position = p + shift };
                }
            }

            if (member is null) foreach (var fork in forks) _evidence.Add(fork);
            else member.Forks.AddRange(forks);

            // Repeats of ops accepted in this same batch take their position now that it is held.
            for (var i = 0; i < results.Length; i++)
            {
                if (results[i] is { Status: IngestStatus.Duplicate, Position: null } dup && pendingByRef.TryGetValue(dup.Op!.Value, out var original))
                {
                    results[i] = results[original]!.Held ? dup with { Position = results[original]!.Position } : Refuse(i, decoded[i]!, IngestRefusal.AfterRefused, "the op it repeats was refused.");
                }
            }

            // The trial verifiers now match the store, except for authors whose signature failed after the
            // structure pass advanced them: those are rebuilt from the store when next needed. The verifiers and the
            // tree follow the store at once, before anything else can fail: a throw after the commit must not leave
            // them behind it (later leaves at the wrong positions, resends passing the chain check twice).
            foreach (var (author, verifier) in trial)
            {
                // Only authors the store holds are cached: a stream of strangers' refused inceptions must not grow memory.
                if (refusedAuthors.ContainsKey(author) || verifier.Seq == 0) _verifiers.Remove(author);
                else _verifiers[author] = verifier;
            }

            // The tree exists once a checkpoint or proof was asked for (it is built from the store then, never over a store
            // that keeps its own tree: IRelayTreeStore); it cannot appear during a batch (only this lock's holders build
            // it), so the leaves were hashed in the parallel pass.
            // Over a shared store the tree may lag what other instances stored: it then catches up from the store when
            // next used (TreeAsync), these leaves included.
            if (member is null)
            {
                if (_tree is not null && _tree.Size == first) foreach (var leaf in acceptedLeaves) _tree.AppendLeafHash(leaf);

                // The batch is committed: evidence and the answer must not be cancelled half way.
                await _evidence.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                AfterPersist?.Invoke(accepted);
            }
            else
            {
                // Held by the group's view only: the group commits, then these follow (SettleGroupAsync).
                member.Accepted.AddRange(accepted);
            }

            return new IngestResponse(results.Select(r => r!).ToArray(), store.Count, Origin, await NextSeqOfAsync(store, trial.Keys, CancellationToken.None).ConfigureAwait(false));
        }
    }

    /// <summary>Runs a read under the gate, so it sees a store, tree and verifiers that agree.</summary>
    private async Task<T> UnderGateAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await read().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Up to <see cref="RelayOptions.MaxRead"/> ops from <paramref name="fromPosition"/>, with the signed
    /// checkpoint of the prefix they complete.</summary>
    public async Task<PullResponse> PullAsync(long fromPosition, int max = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            var from = Math.Max(0, fromPosition);
            var ops = await _store.ReadAsync(from, Math.Min(max, _options.MaxRead), cancellationToken).ConfigureAwait(false);
            var end = ops.Count > 0 ? ops[^1].Position + 1 : Math.Min(from, _store.Count);
            return new PullResponse(ops.Select(o => (o.Position, o.Bytes)).ToArray(), _store.Count, await CheckpointNoteAsync(end, cancellationToken).ConfigureAwait(false), Origin);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The signed checkpoint of the first <paramref name="size"/> ops (default: all), or null when the
    /// relay signs no checkpoints. Any size up to the current one can be signed: they are all consistent.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative or beyond the log.</exception>
    public async Task<byte[]?> GetCheckpointAsync(long? size = null, CancellationToken cancellationToken = default)
    {
        // The latest checkpoint over a store only this relay writes: asked by every long poll a commit wakes (thousands at
        // once on a busy ledger), so it must not queue each of them behind the gate the pushes hold. Measured (fleet tool,
        // 10,000 tills on the long poll, docs/performance.md): with every woken poll taking the gate in turn, pushes
        // starved. A note already signed for the current size is returned as it is; otherwise one signing is in flight and
        // every caller that finds it started at or after the size it saw joins it.
        if (size is null && _store is not ISharedRelayStore)
        {
            if (_options.CheckpointKey is null) return null;
            var count = _store.Count;
            if (Volatile.Read(ref _lastCheckpoint) is { } last && last.Size == count) return last.Note;
            return await LatestFlightFrom(count).Note.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return await UnderGateAsync(async () =>
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            return await CheckpointNoteAsync(size ?? _store.Count, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    // The signing in flight if it started when the store held at least count ops (so its note covers what the caller
    // saw), else a new one. It signs whatever the store holds once it has the gate, for every caller that joined.
    private CheckpointFlight LatestFlightFrom(long count)
    {
        lock (_flightLock)
        {
            // A flight that failed is never joined: the next caller signs again. Canceled counts as failed — nothing
            // cancels a flight, so a cancellation is the store's own (a command timed out), and it ended the task
            // Canceled, not Faulted: served from here it failed every later caller until the next push (found by the
            // change-notice review, RelayCheckpointFlightFailureTests).
            if (_flight is { } flight && flight.From >= count && !flight.Note.IsFaulted && !flight.Note.IsCanceled) return flight;
            var from = _store.Count;
            _flight = new CheckpointFlight(from, UnderGateAsync(() => CheckpointNoteAsync(_store.Count, CancellationToken.None), CancellationToken.None));
            return _flight;
        }
    }

    /// <summary>The Merkle root of the first <paramref name="size"/> ops.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative or beyond the log.</exception>
    public async Task<Hash32> GetRootAsync(long size, CancellationToken cancellationToken = default)
    {
        // A store that keeps its tree answers from the database; no gate is needed (the store is safe for concurrent use).
        if (_store is IRelayTreeStore trees) return await trees.GetRootAsync(size, cancellationToken).ConfigureAwait(false);
        return await UnderGateAsync(async () => (await TreeAsync(cancellationToken).ConfigureAwait(false)).Root(size), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The RFC 9162 consistency proof between two sizes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sizes are out of order or beyond the log.</exception>
    public async Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default)
    {
        if (_store is IRelayTreeStore trees) return await trees.GetConsistencyProofAsync(size1, size2, cancellationToken).ConfigureAwait(false);
        return await UnderGateAsync(async () => (await TreeAsync(cancellationToken).ConfigureAwait(false)).ConsistencyProof(size1, size2), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The RFC 9162 inclusion proof of the op at <paramref name="index"/> in the tree of <paramref name="size"/> ops.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index or size is out of range.</exception>
    public async Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default)
    {
        if (_store is IRelayTreeStore trees) return await trees.GetInclusionProofAsync(index, size, cancellationToken).ConfigureAwait(false);
        return await UnderGateAsync(async () => (await TreeAsync(cancellationToken).ConfigureAwait(false)).InclusionProof(index, size), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Up to <paramref name="count"/> hashes of complete subtrees of 2^<paramref name="level"/> ops from the
    /// <paramref name="from"/>-th on (level 0: leaf hashes), as the HTTP relay serves C2SP tlog-tiles.</summary>
    public async Task<IReadOnlyList<Hash32>> GetTreeHashesAsync(int level, long from, int count, CancellationToken cancellationToken = default)
    {
        if (_store is IRelayTreeStore trees) return await trees.GetTreeHashesAsync(level, from, count, cancellationToken).ConfigureAwait(false);
        return await UnderGateAsync(async () => (await TreeAsync(cancellationToken).ConfigureAwait(false)).Hashes(level, from, count), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps a checkpoint a witness cosigned, in the store (it survives a restart), so other nodes can
    /// compare views through the relay too.</summary>
    /// <exception cref="FormatException">The note is not a signed note.</exception>
    /// <exception cref="StorageFullException">The store is at its cap.</exception>
    public async Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default)
    {
        SignedNote.Parse(note.Span);
        // Every witnessing device posts a note each time its checkpoint moves (the fleet's three observers: ~400 a second
        // at 100 ops/s), and only the newest MaxCosignatures are served: the rest are dropped every TrimEvery notes,
        // before the note is added (a trim that fails fails the post, unavailable, with nothing stored).
        if (Interlocked.Increment(ref _cosignaturesPosted) % TrimEvery == 0)
        {
            await _store.TrimCosignaturesAsync(Math.Max(0, _options.MaxCosignatures), cancellationToken).ConfigureAwait(false);
        }

        await _store.AddCosignatureAsync(note, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest <see cref="RelayOptions.MaxCosignatures"/> cosigned checkpoints witnesses posted, oldest first.</summary>
    public Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default) =>
        _store.ReadCosignaturesAsync(_options.MaxCosignatures, cancellationToken);

    private async Task<byte[]?> CheckpointNoteAsync(long size, CancellationToken cancellationToken)
    {
        if (_options.CheckpointKey is not { } key) return null;
        if (_lastCheckpoint is { } last && last.Size == size) return last.Note;
        // A store that keeps its tree checks the root against its recorded tree head before it is signed here, and the
        // relay checks it against the head it signed last.
        Hash32 root;
        if (_store is IRelayTreeStore trees)
        {
            root = await trees.GetRootAsync(size, cancellationToken).ConfigureAwait(false);
            await CheckAgainstSignedHeadAsync(trees, size, root, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            root = (await TreeAsync(cancellationToken).ConfigureAwait(false)).Root(size);
        }

        var note = new RelayCheckpoint(Origin, size, root).Sign(key).ToBytes();
        Volatile.Write(ref _lastCheckpoint, new SignedCheckpointNote(size, note));
        return note;
    }

    // A store's tree agrees with itself and with the head it recorded (the store checks that), but a database restored
    // from an older backup, or rewritten whole, agrees with itself too. Never sign a root that does not extend (or is
    // not extended by) the largest head this relay signed: a consistency proof from the store must tie the two.
    private async Task CheckAgainstSignedHeadAsync(IRelayTreeStore trees, long size, Hash32 root, CancellationToken cancellationToken)
    {
        if (_signedHead is { } head && head.Size > 0 && size > 0)
        {
            // The same size: the same root, no proof to fetch.
            var consistent = size == head.Size ? root == head.Root : await ConsistentAsync(head).ConfigureAwait(false);
            if (!consistent)
            {
                throw Error.StoreDamaged("the relay store", $"the Merkle tree of ledger '{Ledger}'",
                    $"its root for {size} ops is not consistent with the checkpoint this relay signed for {head.Size} ops: the store was damaged, rolled back or replaced; nothing was signed");
            }
        }

        if (_signedHead is not { } last || size > last.Size) _signedHead = (size, root);

        async Task<bool> ConsistentAsync((long Size, Hash32 Root) head)
        {
            var (size1, root1, size2, root2) = size <= head.Size ? (size, root, head.Size, head.Root) : (head.Size, head.Root, size, root);
            var proof = await trees.GetConsistencyProofAsync(size1, size2, cancellationToken).ConfigureAwait(false);
            return MerkleProofs.VerifyConsistency(size1, size2, proof, root1, root2);
        }
    }

    // Over a shared store, what other instances committed since this one last looked.
    private Task RefreshAsync(CancellationToken cancellationToken) =>
        _store is ISharedRelayStore shared ? shared.RefreshAsync(cancellationToken) : Task.CompletedTask;

    private async Task<MerkleTree> TreeAsync(CancellationToken cancellationToken)
    {
        // Built from the store on first use after a start (the tree is derived data); over a shared store it then
        // catches up with what other instances stored, so every instance over one database has the same tree and signs
        // the same checkpoint.
        var tree = _tree ?? new MerkleTree();
        if (_tree is not null) await RefreshAsync(cancellationToken).ConfigureAwait(false);
        for (var from = tree.Size; from < _store.Count;)
        {
            var chunk = await _store.ReadAsync(from, 4096, cancellationToken).ConfigureAwait(false);
            if (chunk.Count == 0) break;
            foreach (var op in chunk) tree.Append(op.Bytes.Span);
            from += chunk.Count;
        }

        _tree = tree;
        return tree;
    }

    /// <summary>The ops from <paramref name="fromPosition"/> in position order, up to <paramref name="max"/> and
    /// <see cref="RelayOptions.MaxRead"/>, as the store holds them: no checkpoint is signed for them and pushes in progress
    /// are not waited for (positions below the log's size never change). What entry bundles are built from; a device
    /// pulls with <see cref="PullAsync"/>, which hands it the signed checkpoint of what it then holds.</summary>
    /// <remarks>Measured (fleet tool, 100 ops/s, three nodes following the log): building each bundle through
    /// <see cref="PullAsync"/> queued every tile request behind the gate the pushes hold and signed a checkpoint nobody
    /// read.</remarks>
    public async Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> ReadAsync(long fromPosition, int max = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (max <= 0) return [];
        return (await _store.ReadAsync(Math.Max(0, fromPosition), Math.Min(max, _options.MaxRead), cancellationToken).ConfigureAwait(false)).Select(o => (o.Position, o.Bytes)).ToArray();
    }

    /// <summary>An author's chain from <paramref name="fromSeq"/>, up to <see cref="RelayOptions.MaxRead"/> ops (a
    /// recovering device fetches its own tip this way).</summary>
    public async Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq = 1, CancellationToken cancellationToken = default) =>
        (await _store.ReadAuthorAsync(author, fromSeq, _options.MaxRead, cancellationToken).ConfigureAwait(false)).Select(o => (o.Position, o.Bytes)).ToArray();

    /// <summary>Evidence the relay kept, decoded (including any its full store could not take yet).</summary>
    public Task<IReadOnlyList<Evidence>> GetEvidenceAsync(CancellationToken cancellationToken = default) => _evidence.AllAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        // The pushes waiting for the gate fail now, typed, with nothing of them stored; a group being stored finishes
        // and is answered. The gate itself is not disposed: a disposed SemaphoreSlim never wakes its waiters (they
        // hung) and its Release throws (the push being stored was answered ObjectDisposedException for stored ops).
        _disposed = true;
        _groups.Close(() => new ObjectDisposedException(nameof(Relay)));
        _metrics.Dispose();
    }

    private async Task<IngestResult> RepeatAsync(IRelayStore store, int index, SignedOp op, Dictionary<OpRef, int> pendingByRef, SignedOp?[] decoded, List<Evidence> forks, CancellationToken cancellationToken)
    {
        if (pendingByRef.TryGetValue(op.Ref, out var earlier))
        {
            var first = decoded[earlier]!;
            return first.ChainHash == op.ChainHash
                ? new IngestResult(index, op.Ref, IngestStatus.Duplicate, Detail: "repeated within the batch.")
                : await ForkAsync(store, index, first, op, forks, cancellationToken).ConfigureAwait(false);
        }

        var stored = await store.FindAsync(op.Op.Author, op.Op.Seq, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            // Held in the trial verifier only because an earlier op of this batch advanced it: a repeat of that op.
            return new IngestResult(index, op.Ref, IngestStatus.Duplicate, Detail: "repeated within the batch.");
        }

        if (stored.Hash == op.ChainHash) return new IngestResult(index, op.Ref, IngestStatus.Duplicate, stored.Position, Detail: "already held.");
        return await ForkAsync(store, index, SignedOpCodec.Decode(stored.Bytes), op, forks, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IngestResult> ForkAsync(IRelayStore store, int index, SignedOp held, SignedOp incoming, List<Evidence> forks, CancellationToken cancellationToken)
    {
        var keyEvents = (await store.ReadKeyEventsAsync(incoming.Op.Author, cancellationToken).ConfigureAwait(false))
            .Where(k => k.Seq < incoming.Op.Seq).Select(k => SignedOpCodec.Decode(k.Bytes)).ToArray();
        var evidence = new ClientForkEvidence(Ledger, keyEvents, held, incoming);
        var verdict = evidence.Verify();
        if (!verdict.Valid)
        {
            return new IngestResult(index, incoming.Ref, IngestStatus.Refused, Refusal: IngestRefusal.InvalidChain,
                Detail: $"another op is held at {incoming.Ref} and this one is not validly signed by the author: {verdict.Finding}");
        }

        // Queued after the batch (or after its refusal), so evidence never precedes the store's own state, and not at
        // all for an attempt a shared store refused (the next attempt finds the fork again).
        forks.Add(evidence);
        return new IngestResult(index, incoming.Ref, IngestStatus.Refused, Refusal: IngestRefusal.Fork, Detail: verdict.Finding);
    }

    private async Task<AuthorChainVerifier> VerifierForAsync(IRelayStore store, AuthorId author, CancellationToken cancellationToken)
    {
        if (_verifiers.TryGetValue(author, out var cached)) return cached;
        AuthorChainVerifier verifier;
        if (await store.GetTipAsync(author, cancellationToken).ConfigureAwait(false) is not var (seq, tip))
        {
            // Not cached until the store holds the author (see Ingest).
            return new AuthorChainVerifier(Ledger, author);
        }
        else
        {
            // Rebuild the key state from the stored key events (verified when they were ingested).
            var events = (await store.ReadKeyEventsAsync(author, cancellationToken).ConfigureAwait(false)).Select(k => SignedOpCodec.Decode(k.Bytes)).ToArray();
            if (!KeyEventLog.TryVerify(Ledger, author, events, out var timeline, out var problem))
            {
                throw Error.StoreDamaged("the relay store", $"the key events of {author}", $"they do not verify ({problem})");
            }

            verifier = AuthorChainVerifier.Resume(Ledger, author, seq, tip, timeline[^1].State);
        }

        _verifiers[author] = verifier;
        return verifier;
    }

    // For every author of the batch, the seq the relay expects next: one more than its stored tip. The verifiers
    // follow the store (see IngestAsync); an author not cached (refused, or never stored) is looked up in the store.
    private async Task<Dictionary<AuthorId, ulong>> NextSeqOfAsync(IRelayStore store, IEnumerable<AuthorId> authors, CancellationToken cancellationToken)
    {
        var next = new Dictionary<AuthorId, ulong>();
        foreach (var author in authors)
        {
            next[author] = _verifiers.TryGetValue(author, out var verifier) ? verifier.Seq + 1
                : await store.GetTipAsync(author, cancellationToken).ConfigureAwait(false) is var (seq, _) ? seq + 1 : 1;
        }

        return next;
    }

    private static IngestResult Refuse(int index, SignedOp op, IngestRefusal refusal, string detail) =>
        new(index, op.Ref, IngestStatus.Refused, Refusal: refusal, Detail: detail);

    private sealed record SignedCheckpointNote(long Size, byte[] Note);

    private sealed record CheckpointFlight(long From, Task<byte[]?> Note);
}
