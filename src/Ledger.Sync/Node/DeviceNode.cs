using System.Threading.Channels;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>A device: one author that signs, persists and folds its own ops, and syncs with a relay.
/// Appends are pipelined and group-committed: many concurrent callers share one transaction (one fsync).
/// The durability ladder says, per own op, whether a second location holds it.</summary>
/// <remarks>The node owns its store and disposes it. Thread-safe.</remarks>
public sealed partial class DeviceNode : IAsyncDisposable
{
    private readonly NodeOptions _options;
    private readonly INodeStore _store;
    private readonly EvidenceOutbox _evidence;
    private readonly LedgerKernel _kernel;
    // Lock order (a thread holding one may take only those after it; none is held across a store call or an await):
    //   _syncGate (async: one sync round at a time) → _exportGate (async: one export build) → _witnessWrite (async:
    //   one witness advance, across its store write) → _signGate (the signer's turn; also export snapshots and the
    //   rewind) → _foldGate (kernel, ladder, verifiers, Merkle tree) ; _witnessGate (witnessed checkpoint, frozen,
    //   evidence tally) is a leaf, never held with another. The store's own lock is below all of them.
    private readonly Lock _signGate = new();
    private readonly Lock _foldGate = new();
    private readonly SemaphoreSlim _syncGate = new(1, 1);
    private readonly Dictionary<AuthorId, AuthorChainVerifier> _verifiers = new();
    private OwnLadder _own = null!;
    // Synchronous continuations: the only waiter is a stage thread blocked on the channel, and waking it directly
    // from the producer needs no thread-pool thread (callers blocking on the pool could otherwise starve the pipeline).
    private readonly Channel<PendingAppend> _signs = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly Channel<PendingAppend> _writes = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
    private Task _signer = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    private readonly Dictionary<KeyId, SigningKey> _keys = new();
    private AuthorLog _log;
    private bool _closed;
    private long _foldedCursor;
    private readonly System.Collections.Concurrent.ConcurrentQueue<Exception> _handlerFaults = new();
    private readonly Dictionary<OpRef, Op> _awaitingHandler = new();
    private Exception? _writerFault;
    private volatile Exception? _lastExportFailure;
    private volatile string? _relayOrigin;
    private ulong _exportRetryAfterSeq;
    private DateTimeOffset _exportRetryAfter;
    private NodeMetrics _metrics = null!;

    private DeviceNode(NodeOptions options, INodeStore store, LedgerKernel kernel, AuthorLog log, SigningKey key)
    {
        _options = options;
        _store = store;
        _kernel = kernel;
        _evidence = new EvidenceOutbox(store);
        _log = log;
        _keys[key.Id] = key;
    }

    /// <summary>Starts the pipeline threads and the meter once the node's state is loaded (so neither sees a node
    /// half opened, and an open that fails leaves no thread behind).</summary>
    private DeviceNode Start()
    {
        _metrics = new NodeMetrics(_options, this);
        _signer = RunLoop(SignLoop, "ledger-signer");
        _writer = RunLoop(WriteLoop, "ledger-writer");
        return this;
    }

    /// <summary>How this node came up: the path, the ops folded on the way, the time it took.</summary>
    public NodeStartup Startup { get; private set; } = new(NodeStartPath.Incepted, 0, TimeSpan.Zero);

    /// <summary>This device's author id.</summary>
    public AuthorId Author => _log.Author;

    /// <summary>Exceptions thrown by <see cref="NodeOptions.Folded"/>, oldest first (the fold went on regardless).</summary>
    public IReadOnlyCollection<Exception> HandlerFaults => _handlerFaults;

    /// <summary>The ledger.</summary>
    public string Ledger => _options.Ledger;

    /// <summary>The store.</summary>
    public INodeStore Store => _store;

    /// <summary>The state hash of everything folded here.</summary>
    public Hash32 StateHash()
    {
        lock (_foldGate) return _kernel.StateHash();
    }

    /// <summary>Runs <paramref name="read"/> against the kernel under the node's fold lock (to read state consistently).</summary>
    public T Read<T>(Func<LedgerKernel, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_foldGate) return read(_kernel);
    }

    /// <summary>Incepts a new author on an empty store: signs its inception with <paramref name="currentKey"/>,
    /// committing to the next key whose digest is <paramref name="nextKeyDigest"/>, and opens the node.</summary>
    /// <exception cref="ArgumentException">The store is not empty (open it with <see cref="OpenAsync"/>).</exception>
    public static async Task<DeviceNode> InceptAsync(NodeOptions options, INodeStore emptyStore, SigningKey currentKey, string label, Hash32 nextKeyDigest,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(emptyStore);
        ArgumentNullException.ThrowIfNull(currentKey);
        ArgumentNullException.ThrowIfNull(label);
        if (!await emptyStore.IsEmptyAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException("inception needs an empty store; this one holds a node: open it with OpenAsync.", nameof(emptyStore));
        }

        return await LoadAsync(options, emptyStore, currentKey, (label, nextKeyDigest), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the node a store holds: its chain and everything it held are read a page at a time, verified and
    /// folded; <paramref name="currentKey"/> must be the chain's current key (or the committed next key).</summary>
    /// <exception cref="ArgumentException">The store is empty (incept with <see cref="InceptAsync"/>, or recover with
    /// <see cref="RecoverAsync"/>), or the key is not the author's.</exception>
    public static Task<DeviceNode> OpenAsync(NodeOptions options, INodeStore store, SigningKey currentKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(currentKey);
        return LoadAsync(options, store, currentKey, null, cancellationToken);
    }

    private static async Task<DeviceNode> LoadAsync(NodeOptions options, INodeStore store, SigningKey currentKey, (string Label, Hash32 NextKeyDigest)? incept,
        CancellationToken cancellationToken)
    {
        var opening = System.Diagnostics.Stopwatch.GetTimestamp();
        var kernel = NewKernel(options);
        var verifiers = new Dictionary<AuthorId, AuthorChainVerifier>();
        OwnLadder? own = null;
        var results = new List<ApplyResult>();
        var applied = new List<Op>();
        AuthorId? me = null;
        var count = 0;
        var tree = new MerkleTree();
        // Each op names the hash of the one before, so the signature of a chain's last op vouches for every byte of the
        // chain: one check per author finds bytes changed in the store (a flipped byte in the tip itself included).
        var tips = new Dictionary<AuthorId, (SignedOp Op, VerificationKey Signer)>();
        await foreach (var record in store.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            count++;
            // What the store says about an op must be what its bytes say: a changed author or seq column beside valid
            // bytes would otherwise file the op under another chain.
            if (!SignedOpCodec.TryDecode(record.Bytes, out var decoded, out var undecodable))
            {
                throw new StoreDamagedException("the node store", $"op {count} ({record.Op})", $"its bytes are not a signed op ({undecodable!.Message})", undecodable);
            }

            var signed = decoded!;
            if (signed.Ref != record.Op) throw new StoreDamagedException("the node store", $"op {count}", $"it is filed as {record.Op} but its bytes are {signed.Ref}");
            var author = signed.Op.Author;
            if (!verifiers.TryGetValue(author, out var verifier)) verifiers[author] = verifier = new AuthorChainVerifier(options.Ledger, author);
            var check = verifier.AppendDeferringSignatureCheck(signed, out var signer);
            if (!check.IsOk) throw new StoreDamagedException("the node store", $"op {count} ({signed.Ref})", $"it does not continue its chain ({check.Break}: {check.Detail})");
            tips[author] = (signed, signer!);
            results.Add(kernel.Apply(signed.Op, record.Position));
            if (options.Folded is not null) applied.Add(signed.Op);
            // The witness's tree of the relay prefix this node holds: records hold positions in the relay's order.
            if (record.Position == tree.Size && tree.Size < store.Cursor) tree.Append(record.Bytes.Span);
            if (record.Own)
            {
                if (me is { } first && first != author) throw new StoreDamagedException("the node store", $"op {count} ({signed.Ref})", $"it marks ops of {first} and of {author} as its own");
                me = author;
                own ??= new OwnLadder(author);
                own.Add(signed, record.RefusedBy is not null ? DurabilityRung.Refused : record.Position is null ? DurabilityRung.Local : DurabilityRung.Durable, record.Position, record.RefusedBy);
            }
        }

        foreach (var (author, (op, signer)) in tips)
        {
            if (!op.VerifySignature(signer))
            {
                throw new StoreDamagedException("the node store", $"the last op of {author} ({op.Ref})", "its signature does not verify: bytes of this chain were changed in the store");
            }
        }

        results.AddRange(kernel.AdvanceRelayFrontier(store.Cursor));
        AuthorLog log;
        if (me is { } author1)
        {
            if (incept is not null) throw new ArgumentException("inception needs an empty store; this one holds a node.", nameof(store));
            var tip = verifiers[author1];
            if (tip.Keys!.Current.Id != currentKey.Id && tip.Keys.NextDigest != currentKey.Public.Digest)
            {
                throw new ArgumentException($"key {currentKey.Id} is neither the current key ({tip.Keys.Current.Id}) nor the committed next key of {author1}.", nameof(currentKey));
            }

            log = AuthorLog.Resume(tip, currentKey, options.Time, options.OpIds);
        }
        else
        {
            if (incept is not var (label, nextKeyDigest))
            {
                throw new ArgumentException("the store holds no node: incept a new author with InceptAsync, or bring back an existing one with RecoverAsync or ImportAsync.", nameof(store));
            }

            log = AuthorLog.Incept(options.Ledger, label, currentKey, nextKeyDigest, out var inception, 0, options.Time, options.OpIds);
            await store.AppendAsync([new NodeOpRecord(inception.Ref, inception.Bytes, true, null)], cancellationToken: cancellationToken).ConfigureAwait(false);
            var verifier = new AuthorChainVerifier(options.Ledger, log.Author);
            verifier.AppendWithoutSignatureCheck(inception);
            verifiers[log.Author] = verifier;
            results.Add(kernel.Apply(inception.Op));
            applied.Add(inception.Op);
            own = new OwnLadder(log.Author);
            own.Add(inception, DurabilityRung.Local, null, null);
        }

        var node = new DeviceNode(options, store, kernel, log, currentKey);
        foreach (var (author, verifier) in verifiers) node._verifiers[author] = verifier;
        node._own = own!;
        foreach (var op in applied) node.Track(op);
        node._foldedCursor = store.Cursor;
        node._relayOrigin = store.RelayOrigin;
        node.RecordOutcomes(results);
        node.Startup = new NodeStartup(me is null ? NodeStartPath.Incepted : NodeStartPath.Reopened, count + (me is null ? 1 : 0),
            System.Diagnostics.Stopwatch.GetElapsedTime(opening));
        await node.LoadTransparencyStateAsync(tree, cancellationToken).ConfigureAwait(false);
        return node.Start();
    }

    /// <summary>Brings an author back on a wiped device: fetches its chain from the relay (never re-signing a seq
    /// that exists), derives the pre-committed next key from the master secret, rotates to it, and goes on.
    /// The store must be empty. Other authors' ops arrive with the next <see cref="SyncAsync"/>.</summary>
    public static async Task<DeviceNode> RecoverAsync(NodeOptions options, INodeStore emptyStore, ReadOnlyMemory<byte> masterSecret, AuthorId author,
        IRelayProtocol relay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(emptyStore);
        ArgumentNullException.ThrowIfNull(relay);
        if (!await emptyStore.IsEmptyAsync(cancellationToken).ConfigureAwait(false)) throw new ArgumentException("recovery needs an empty store.", nameof(emptyStore));
        // The relay answers in pages (RelayOptions.MaxRead): ask again from the next seq until it has nothing more.
        var fetched = new List<(long Position, ReadOnlyMemory<byte> Bytes)>();
        var chain = new List<SignedOp>();
        while (true)
        {
            var fromSeq = chain.Count == 0 ? 1UL : chain[^1].Op.Seq + 1;
            var page = await relay.FetchAuthorAsync(author, fromSeq, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) break;
            foreach (var entry in page)
            {
                var op = SignedOpCodec.Decode(entry.Bytes);
                if (op.Op.Author != author || op.Op.Seq != (ulong)chain.Count + 1)
                {
                    throw new RecoveryException($"the relay answered the fetch of {author} from seq {fromSeq} with {op.Op.Author} seq {op.Op.Seq}; expected seq {chain.Count + 1}.");
                }

                fetched.Add(entry);
                chain.Add(op);
            }
        }

        var tip = AuthorRecovery.FetchTip(options.Ledger, chain);
        var label = AuthorIdentity.LabelOf(author) ?? throw new RecoveryException($"{author} is not a self-certifying author id.");
        var keys = tip.Keys!;
        var next = AuthorRecovery.KeyAt(masterSecret.Span, label, keys.KeyIndex + 1);
        if (next.Public.Digest != keys.NextDigest)
        {
            throw new RecoveryException($"this master secret does not derive the next key {author} committed to: wrong shares, wrong passphrase, or another author.");
        }

        // The fetched chain is this node's own history, held by the relay at the positions it named.
        await emptyStore.AppendAsync(fetched.Select((f, i) => new NodeOpRecord(chain[i].Ref, f.Bytes, true, f.Position)).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var node = await OpenAsync(options, emptyStore, AuthorRecovery.KeyAt(masterSecret.Span, label, keys.KeyIndex), cancellationToken).ConfigureAwait(false);
        using var following = AuthorRecovery.KeyAt(masterSecret.Span, label, keys.KeyIndex + 2);
        await node.RotateAsync(next, following.Public.Digest, keys.KeyIndex + 1, CancellationToken.None).ConfigureAwait(false);
        node.Startup = node.Startup with { Path = NodeStartPath.Recovered };
        node.LastRestore = new RestoreReport("relay", tip.Seq, 0, chain.Count,
            $"ops {author} signed after seq {tip.Seq} that reached neither the relay nor an export are lost, and how many cannot be known here; import the latest export (NodeOptions.AutoExport writes one) to bring them back.");
        return node;
    }

    /// <summary>Rotates to the pre-committed <paramref name="next"/> key (signed by it), committing to the key
    /// whose digest is <paramref name="followingKeyDigest"/>; later ops are signed by <paramref name="next"/>.</summary>
    /// <remarks>The token cancels the rotation only until it is signed; once signed, it is persisted.</remarks>
    public Task<AppendReceipt> RotateAsync(SigningKey next, Hash32 followingKeyDigest, uint keyIndex, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        return AppendCoreAsync(() =>
        {
            var signed = _log.Rotate(next, followingKeyDigest, keyIndex);
            _keys[next.Id] = next;
            return signed;
        }, critical: false, cancellationToken);
    }

    /// <summary>Signs the next op, persists it (group commit) and folds it locally. Claim ops stay pending
    /// until the relay order is known. A <paramref name="critical"/> op's <see cref="AppendReceipt.Done"/>
    /// completes only when the relay acknowledged it and this node folded the relay prefix up to it.</summary>
    /// <remarks>The token cancels the append only until the op is signed (an <see cref="OperationCanceledException"/>,
    /// nothing in the chain); once signed, the op is in the chain and the append completes.</remarks>
    /// <exception cref="StorageFullException">The store is at its cap; nothing was signed into the chain.</exception>
    /// <exception cref="ObjectDisposedException">The node is disposed.</exception>
    public Task<AppendReceipt> AppendAsync<TArgs>(Manifest manifest, Verb<TArgs> verb, TArgs args, string branch = "main", string? claimKey = null, bool critical = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(verb);
        // Encoded on the caller's thread, in parallel with other callers: the signer only builds and signs.
        byte[] encoded;
        try
        {
            encoded = verb.EncodeArgs(args);
        }
        catch (Exception e)
        {
            return Task.FromException<AppendReceipt>(e);
        }

        return AppendCoreAsync(() => _log.AppendEncoded(manifest, verb, encoded, branch, claimKey), critical, cancellationToken);
    }

    /// <summary>Appends an op whose args depend on the op's own (author, seq) — a field sealed for this op
    /// (Ledger.Erasure binds every sealed field to the op that carries it). <paramref name="args"/> runs in the
    /// signing order with the ref the op will have, so concurrent appends cannot take its seq: keep it short.</summary>
    /// <exception cref="StorageFullException">The store is at its cap; nothing was signed into the chain.</exception>
    /// <exception cref="ObjectDisposedException">The node is disposed.</exception>
    public Task<AppendReceipt> AppendAsync<TArgs>(Manifest manifest, Verb<TArgs> verb, Func<OpRef, TArgs> args, string branch = "main", string? claimKey = null, bool critical = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(args);
        return AppendCoreAsync(() => _log.Append(manifest, verb, args(new OpRef(Author, _log.Seq + 1)), branch, claimKey), critical, cancellationToken);
    }

    /// <summary>The one way an op enters this node: the signer loop runs <paramref name="sign"/> alone, in arrival
    /// order (each op names the one before), then the writer persists and folds it; the eviction policy looks after that.</summary>
    private async Task<AppendReceipt> AppendCoreAsync(Func<SignedOp> sign, bool critical, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var activity = SyncActivities.Start("ledger.append");
        var pending = new PendingAppend(sign, critical, cancellationToken);
        // One signer drains the queue back to back: a hand-off per op between callers (a lock or semaphore
        // passed from thread to thread) left the serial signing stage idle between ops.
        if (!_signs.Writer.TryWrite(pending)) ObjectDisposedException.ThrowIf(true, this);
        var fold = await pending.Persisted.Task.ConfigureAwait(false);
        await AutoExportIfAtRiskAsync(closing: false).ConfigureAwait(false);
        return new AppendReceipt(pending.Signed, fold, pending.Done?.Task ?? Task.CompletedTask);
    }

    /// <summary>Runs a pipeline stage on a thread of its own: the signer is CPU-bound and the writer blocks in
    /// fsync, and on the shared pool both stalled the callers' continuations (and were stalled by them).</summary>
    /// <remarks>Named (<c>ledger-signer</c>, <c>ledger-writer</c>) so profilers and dumps show them; background
    /// threads, so a node nobody disposed does not keep its process alive.</remarks>
    private static Task RunLoop(Action loop, string name)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                loop();
                ended.SetResult();
            }
            catch (Exception e)
            {
                ended.SetException(e);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return ended.Task;
    }

    /// <summary>Blocks this stage's thread until the channel has an item or is complete.</summary>
    private static bool WaitToRead<T>(ChannelReader<T> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void SignLoop()
    {
        var reader = _signs.Reader;
        while (WaitToRead(reader))
        {
            while (reader.TryRead(out var pending))
            {
                // The gate keeps export and rewind out while an op is signed and queued for the writer.
                lock (_signGate)
                {
                    try
                    {
                        ThrowIfNotWritable();
                        pending.Cancellation.ThrowIfCancellationRequested();
                        pending.Sign();
                    }
                    catch (Exception e)
                    {
                        _metrics.AppendsEnded(0, 1);
                        pending.Persisted.TrySetException(e);
                        continue;
                    }

                    if (!_writes.Writer.TryWrite(pending))
                    {
                        // Cannot happen while this loop runs (the writer closes after it); if it did, the chain now
                        // names an op no store holds: stop signing rather than fork.
                        _writerFault ??= new InvalidOperationException("the node's writer stopped before its signer.");
                        pending.Persisted.TrySetException(new InvalidOperationException("the node's writer is closed.", _writerFault));
                    }
                }
            }
        }
    }

    /// <summary>The rung of one own op.</summary>
    public OpDurability DurabilityOf(OpRef op)
    {
        lock (_foldGate)
        {
            if (op.Author != Author || !_own.TryGetValue(op.Seq, out var own)) throw new ArgumentException($"{op} is not an op of this node.", nameof(op));
            return new OpDurability(op, own.Rung, own.Position, own.Detail, own.Position is null ? null : _relayOrigin);
        }
    }

    /// <summary>Every own op's rung, in seq order.</summary>
    public IReadOnlyList<OpDurability> Ladder()
    {
        var origin = _relayOrigin;
        lock (_foldGate) return _own.Values.Select(o => new OpDurability(o.Ref, o.Rung, o.Position, o.Detail, o.Position is null ? null : origin)).ToArray();
    }

    /// <summary>The durability ladder: counts per rung, oldest unacknowledged age, store size against its cap.</summary>
    public DurabilityReport Durability()
    {
        lock (_foldGate)
        {
            var (local, syncing, durable, won, lost, refused, oldest) = _own.Tally();
            TimeSpan? age = oldest is { } at ? _options.Time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
            return new DurabilityReport(local, syncing, durable, won, lost, refused, age is { } a && a < TimeSpan.Zero ? TimeSpan.Zero : age, _store.SizeBytes, _store.CapBytes);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        lock (_signGate)
        {
            _closed = true;
            _signs.Writer.TryComplete();
        }

        // First: no gauge may read a store that is closing.
        _metrics.Dispose();

        Exception? exportFailed = null;
        try
        {
            // Appends queued before the close fail (the node is closed); ops already signed are persisted.
            await _signer.ConfigureAwait(false);
            _writes.Writer.TryComplete();
            await _writer.ConfigureAwait(false);
            if (_writerFault is null)
            {
                try
                {
                    await AutoExportIfAtRiskAsync(closing: true).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    exportFailed = e;
                }
            }
        }
        finally
        {
            _store.Dispose();
            _syncGate.Dispose();
        }

        // The store is closed either way; the caller who asked for an export on close must hear that it failed.
        if (exportFailed is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exportFailed);
    }

    private static LedgerKernel NewKernel(NodeOptions options)
    {
        if (!LedgerName.IsValid(options.Ledger)) throw new ArgumentException("NodeOptions.Ledger must name the ledger.", nameof(options));
        if (options.MaxGroupCommit < 1 || options.PushBatch < 1 || options.PullBatch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "NodeOptions.MaxGroupCommit, PushBatch and PullBatch must be at least 1.");
        }
        var kernelOptions = new KernelOptions { Manifests = options.Manifests, TrackProvenance = options.TrackProvenance, MeterFactory = options.MeterFactory };
        if (kernelOptions.Manifests is null or ManifestCatalog) KeyEvents.Use(kernelOptions);
        return new LedgerKernel(kernelOptions);
    }

    private void WriteLoop()
    {
        var reader = _writes.Reader;
        var batch = new List<PendingAppend>(_options.MaxGroupCommit);
        var results = new List<ApplyResult>(_options.MaxGroupCommit);
        while (WaitToRead(reader))
        {
            batch.Clear();
            while (batch.Count < _options.MaxGroupCommit && reader.TryRead(out var next)) batch.Add(next);
            TimeSpan took;
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                // This stage owns its thread and holds no lock here, so it waits for the store's task: SQLite completes
                // it synchronously (no hop), and a store across a network blocks only this thread, never a caller.
                _store.AppendAsync(batch.Select(p => new NodeOpRecord(p.Signed.Ref, p.Signed.Bytes, true, null)).ToArray()).GetAwaiter().GetResult();
                took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            }
            catch (Exception e)
            {
                FailFrom(batch, e);
                continue;
            }

            results.Clear();
            try
            {
                lock (_foldGate)
                {
                    foreach (var p in batch)
                    {
                        _verifiers[Author].AppendWithoutSignatureCheck(p.Signed);
                        Track(p.Signed.Op);
                        results.Add(_kernel.Apply(p.Signed.Op));
                        _own.Add(p.Signed, DurabilityRung.Local, null, null, p.Done);
                    }

                    RecordOutcomes(results);
                }
            }
            catch (Exception e)
            {
                // Persisted but not folded: this instance can no longer vouch for its state. Fail every waiter
                // whose op did not fold (none may hang) and refuse new appends; reopening from the store folds everything again.
                lock (_signGate)
                {
                    _writerFault = e;
                    while (reader.TryRead(out var queued)) batch.Add(queued);
                }

                for (var i = results.Count; i < batch.Count; i++)
                {
                    batch[i].Persisted.TrySetException(new InvalidOperationException("the node failed while folding its own op; reopen it from its store.", e));
                }
            }

            // Outside the fold lock: completing wakes callers, which must not queue behind this writer.
            for (var i = 0; i < results.Count; i++) batch[i].Persisted.TrySetResult(results[i]);
            _metrics.Committed(batch.Count, took);
            _metrics.AppendsEnded(results.Count, batch.Count - results.Count);
        }
    }

    private void ThrowIfNotWritable()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_writerFault is { } fault) throw new InvalidOperationException("the node failed while folding its own op; reopen it from its store.", fault);
    }

    /// <summary>Queues a signed op for the writer; called by the signer loop, so the channel is open (it
    /// closes only after that loop ended).</summary>
    private void Enqueue(PendingAppend pending)
    {
        if (!_writes.Writer.TryWrite(pending)) throw new InvalidOperationException("the node's writer is closed.");
    }

    /// <summary>A failed commit: that batch and everything signed after it fail, and the author log rewinds
    /// to the last persisted op, so the chain never holds an op the store does not.</summary>
    private void FailFrom(List<PendingAppend> failed, Exception error)
    {
        lock (_signGate)
        {
            while (_writes.Reader.TryRead(out var queued)) failed.Add(queued);
            lock (_foldGate)
            {
                // The key that signs at the last persisted op: a rotation that failed to persist never happened.
                var tip = _verifiers[Author].Clone();
                if (_keys.TryGetValue(tip.Keys!.Current.Id, out var key)) _log = AuthorLog.Resume(tip, key, _options.Time, _options.OpIds);
                else _writerFault = new InvalidOperationException("a commit failed and the chain cannot rewind without the key that signed its last persisted op: stopped signing rather than fork; reopen the node from its store.", error);

            }

            foreach (var p in failed) p.Persisted.TrySetException(error);
            _metrics.AppendsEnded(0, failed.Count);
        }
    }

    private sealed class PendingAppend(Func<SignedOp> sign, bool critical, CancellationToken cancellation)
    {
        /// <summary>Honoured until the op is signed.</summary>
        public CancellationToken Cancellation => cancellation;

        private SignedOp? _signed;

        /// <summary>The signed op (once <see cref="Sign"/> ran).</summary>
        public SignedOp Signed => _signed ?? throw new InvalidOperationException("not signed yet.");

        public void Sign() => _signed = sign();

        public TaskCompletionSource<ApplyResult> Persisted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource? Done { get; } = critical ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }

}
