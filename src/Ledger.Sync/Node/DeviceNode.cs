using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>A device: one author that signs, persists and folds its own ops, and syncs with a relay.
/// Appends are pipelined and group-committed: many concurrent callers share one transaction (one fsync).
/// The durability ladder says, per own op, whether a second location holds it.</summary>
/// <remarks>The node owns its store and disposes it. Thread-safe. A front over its collaborators, each a class named
/// after its job: the <see cref="AppendPipeline"/> (signer and writer threads, group commit, rewind), the
/// <see cref="LocalReplica"/> (kernel, chains, ladder, positions), the <see cref="RelayFollower"/> (push and pull
/// rounds, origin), the <see cref="RelayWitness"/> (checkpoints, cosigning, gossip, evidence), the
/// <see cref="AtRiskExporter"/> and the <see cref="NodeHealthReporter"/>; <see cref="NodeLoader"/> opens a store and
/// <see cref="NodeRestore"/> recovers or imports into an empty one. Their locks, and the one order in which they
/// may be taken, are in <see cref="NodeLocks"/>.</remarks>
public sealed class DeviceNode : IAsyncDisposable
{
    private readonly NodeOptions _options;
    private readonly INodeStore _store;
    private readonly NodeLocks _locks = new();
    private readonly LocalReplica _replica;
    private readonly AppendPipeline _pipeline;
    private readonly RelayWitness _witness;
    private readonly AtRiskExporter _exporter;
    private readonly RelayFollower _follower;
    private readonly NodeHealthReporter _health;
    private NodeMetrics _metrics = null!;

    static DeviceNode() => SplitViewEvidence.Register();

    private DeviceNode(NodeOptions options, INodeStore store, SigningKey key, LoadedNode loaded)
    {
        _options = options;
        _store = store;
        _replica = new LocalReplica(options, store, _locks, loaded.Log.Author, loaded.Kernel, loaded.Own, loaded.Checkpoints);
        foreach (var (author, verifier) in loaded.Verifiers) _replica.Verifiers[author] = verifier;
        _pipeline = new AppendPipeline(options, store, _locks, _replica, loaded.Log, key, this, loaded.RolledBackFrom);
        _witness = new RelayWitness(options, store, _locks, _replica, _pipeline, this);
        if (loaded.Checkpoints is { } taking)
        {
            taking.CurrentKey = () => _pipeline.TryGetKey(_replica.OwnChain.Keys!.Current.Id, out var key) ? key : null;
            if (store is INodeTailStore tail) taking.Open = new NodeOpenCapture(tail, _replica, _witness, _locks);
        }
        _exporter = new AtRiskExporter(options, store, _locks, _replica, _pipeline);
        _follower = new RelayFollower(options, store, _locks, _replica, _pipeline, _witness, _exporter);
        _health = new NodeHealthReporter(options, store, _replica, _pipeline, _exporter, _witness);
        foreach (var op in loaded.Applied) _replica.Track(op);
        _replica.FoldedCursor = store.Cursor;
        _replica.RelayOrigin = store.RelayOrigin;
        _replica.RecordOutcomes(loaded.Results);
        Startup = loaded.Startup;
    }

    /// <summary>Starts the pipeline threads and the meter once the node's state is loaded (so neither sees a node
    /// half opened, and an open that fails leaves no thread behind).</summary>
    private DeviceNode Start()
    {
        _metrics = new NodeMetrics(_options, this);
        _follower.Start(_metrics);
        _pipeline.Start(_metrics);
        return this;
    }

    /// <summary>How this node came up: the path, the ops folded on the way, the time it took.</summary>
    public NodeStartup Startup { get; internal set; }

    /// <summary>What the last restore (import or recovery) brought back, and what it could not vouch for.</summary>
    public RestoreReport? LastRestore { get; internal set; }

    /// <summary>This device's author id.</summary>
    public AuthorId Author => _pipeline.Author;

    /// <summary>Exceptions thrown by <see cref="NodeOptions.Folded"/>, oldest first (the fold went on regardless).</summary>
    public IReadOnlyCollection<Exception> HandlerFaults => _replica.HandlerFaults;

    /// <summary>The ledger.</summary>
    public string Ledger => _options.Ledger;

    /// <summary>The store.</summary>
    public INodeStore Store => _store;

    /// <summary>The origin of the relay log this node's cursor and relay positions refer to: positions are
    /// (origin, index). Null until a relay named itself.</summary>
    public string? RelayOrigin => _replica.RelayOrigin;

    /// <summary>The state hash of everything folded here.</summary>
    public Hash32 StateHash() => _replica.StateHash();

    /// <summary>Runs <paramref name="read"/> against the kernel under the node's fold lock (to read state consistently).</summary>
    public T Read<T>(Func<LedgerKernel, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return _replica.Read(read);
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
            throw Error.Argument("inception needs an empty store; this one holds a node: open it with OpenAsync.", nameof(emptyStore));
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
        var loaded = await NodeLoader.LoadAsync(options, store, currentKey, incept, cancellationToken).ConfigureAwait(false);
        return await OpenLoadedAsync(options, store, currentKey, loaded, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<DeviceNode> OpenLoadedAsync(NodeOptions options, INodeStore store, SigningKey currentKey, LoadedNode loaded, CancellationToken cancellationToken)
    {
        var node = new DeviceNode(options, store, currentKey, loaded);
        if (loaded.Checkpoints is { } checkpoints) await checkpoints.FlushAsync(cancellationToken).ConfigureAwait(false);
        await node._witness.LoadAsync(loaded.Tree, cancellationToken).ConfigureAwait(false);
        return node.Start();
    }

    /// <summary>Incepts a new author on an empty store that starts from a checkpoint of the relay's prefix another member
    /// folded, served by <paramref name="relay"/> (an <see cref="IRelayBootstrap"/>), instead of from genesis: only the
    /// relay's ops after the prefix are pulled by the next <see cref="SyncAsync"/>. Accepted only when the relay signed a
    /// checkpoint of exactly that prefix (and witnesses cosigned it, when <paramref name="policy"/> requires), enough
    /// distinct members signed that state, and its rows hash to its state hash (docs/sync.md, "Bootstrap of a new device").
    /// Anything else is refused and the node starts from genesis, saying why in <see cref="NodeStartup.BootstrapRefusal"/>.</summary>
    /// <exception cref="ArgumentException">The store is not empty, <see cref="NodeOptions.TrustedRelay"/> is not set, or the
    /// relay serves no bootstrap calls.</exception>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached; nothing was written.</exception>
    public static async Task<DeviceNode> BootstrapAsync(NodeOptions options, INodeStore emptyStore, SigningKey currentKey, string label, Hash32 nextKeyDigest,
        IRelayProtocol relay, BootstrapPolicy? policy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(emptyStore);
        ArgumentNullException.ThrowIfNull(currentKey);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(relay);
        if (relay is not IRelayBootstrap bootstrap) throw Error.Argument("the relay serves no bootstrap calls (IRelayBootstrap).", nameof(relay));
        if (!await emptyStore.IsEmptyAsync(cancellationToken).ConfigureAwait(false))
        {
            throw Error.Argument("bootstrapping needs an empty store; this one holds a node: open it with OpenAsync.", nameof(emptyStore));
        }

        var loaded = await NodeBootstrap.LoadAsync(options, emptyStore, currentKey, label, nextKeyDigest, relay, bootstrap, policy ?? new BootstrapPolicy(), cancellationToken)
            .ConfigureAwait(false);
        return await OpenLoadedAsync(options, emptyStore, currentKey, loaded, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs a checkpoint of this node's state and posts it to <paramref name="relay"/> (an
    /// <see cref="IRelayBootstrap"/>) for new devices to start from. The state must be exactly the relay prefix the node
    /// folded: every own op acknowledged within it (sync first).</summary>
    /// <exception cref="InvalidOperationException">The state is not exactly a relay prefix, or the node trusts no relay.</exception>
    /// <exception cref="BootstrapRefusedException">The relay refused it.</exception>
    public async Task<BootstrapCheckpoint> PublishBootstrapCheckpointAsync(IRelayProtocol relay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(relay);
        if (relay is not IRelayBootstrap bootstrap) throw Error.Argument("the relay serves no bootstrap calls (IRelayBootstrap).", nameof(relay));
        await StoreIntegrityGate.EnsureIntactAsync(_store, cancellationToken).ConfigureAwait(false);
        var checkpoint = BootstrapPublisher.Create(_options, _locks, _replica, _witness, _pipeline);
        await bootstrap.PostBootstrapCheckpointAsync(checkpoint.ToBytes(), cancellationToken).ConfigureAwait(false);
        return checkpoint;
    }

    /// <summary>A bootstrap package of this node's state for a new device to start from without the relay serving the
    /// state — handed over by any channel (docs/sync.md, "Bootstrap from a peer"; docs/wire-format.md, "Bootstrap
    /// package v1"): this node's signed bootstrap checkpoint, its key events, the relay's signed checkpoint of the prefix
    /// and the prefix's leaf hashes. The state must be exactly the relay prefix the node folded and last witnessed (sync
    /// first). The receiver trusts nothing in it it cannot verify (<see cref="BootstrapFromPackageAsync"/>).</summary>
    /// <exception cref="InvalidOperationException">The state is not exactly the last witnessed relay prefix, or the node
    /// trusts no relay.</exception>
    public async Task<byte[]> CreateBootstrapPackageAsync(CancellationToken cancellationToken = default)
    {
        await StoreIntegrityGate.EnsureIntactAsync(_store, cancellationToken).ConfigureAwait(false);
        return await BootstrapPackager.CreateAsync(_options, _locks, _replica, _witness, _pipeline, _store, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Incepts a new author on an empty store that starts from a bootstrap package a member handed over
    /// (<see cref="CreateBootstrapPackageAsync"/>), by the same rules as <see cref="BootstrapAsync"/>: the trusted relay
    /// signed a checkpoint of exactly the prefix (the note in the package), enough distinct members signed the state, its
    /// rows hash to its state hash, and the leaf hashes rebuild the relay-signed root. <paramref name="relay"/> is asked
    /// only for witness cosignatures, when <paramref name="policy"/> requires them (without it such a policy refuses);
    /// the tail comes with the next <see cref="SyncAsync"/>. Anything refused starts the node from genesis, saying why in
    /// <see cref="NodeStartup.BootstrapRefusal"/>.</summary>
    /// <exception cref="ArgumentException">The store is not empty, or <see cref="NodeOptions.TrustedRelay"/> is not set.</exception>
    public static async Task<DeviceNode> BootstrapFromPackageAsync(NodeOptions options, INodeStore emptyStore, SigningKey currentKey, string label, Hash32 nextKeyDigest,
        ReadOnlyMemory<byte> package, IRelayProtocol? relay = null, BootstrapPolicy? policy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(emptyStore);
        ArgumentNullException.ThrowIfNull(currentKey);
        ArgumentNullException.ThrowIfNull(label);
        if (!await emptyStore.IsEmptyAsync(cancellationToken).ConfigureAwait(false))
        {
            throw Error.Argument("bootstrapping needs an empty store; this one holds a node: open it with OpenAsync.", nameof(emptyStore));
        }

        var loaded = await NodeBootstrap.LoadFromPackageAsync(options, emptyStore, currentKey, label, nextKeyDigest, package, relay, policy ?? new BootstrapPolicy(), cancellationToken)
            .ConfigureAwait(false);
        return await OpenLoadedAsync(options, emptyStore, currentKey, loaded, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Brings an author back on a wiped device: fetches its chain from the relay (never re-signing a seq
    /// that exists), derives the pre-committed next key from the master secret, rotates to it, and goes on.
    /// The store must be empty. Other authors' ops arrive with the next <see cref="SyncAsync"/>.</summary>
    public static Task<DeviceNode> RecoverAsync(NodeOptions options, INodeStore emptyStore, ReadOnlyMemory<byte> masterSecret, AuthorId author,
        IRelayProtocol relay, CancellationToken cancellationToken = default) =>
        NodeRestore.RecoverAsync(options, emptyStore, masterSecret, author, relay, cancellationToken);

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
    public static Task<DeviceNode> ImportAsync(NodeOptions options, INodeStore emptyStore, ReadOnlyMemory<byte> export, SigningKey currentKey,
        CancellationToken cancellationToken = default) =>
        NodeRestore.ImportAsync(options, emptyStore, export, currentKey, cancellationToken);

    /// <summary>Writes an export's records and witnessed checkpoints into a store, in one append.</summary>
    public static Task WriteToAsync(INodeStore emptyStore, NodeExport export, CancellationToken cancellationToken = default) =>
        NodeRestore.WriteToAsync(emptyStore, export, cancellationToken);

    /// <summary>Exports everything this node has folded (<see cref="NodeExport"/>), signed by its current key:
    /// the "email it to yourself" backup. Ops persisted but not folded yet wait for the next export.</summary>
    public async Task<byte[]> ExportAsync(CancellationToken cancellationToken = default)
    {
        await StoreIntegrityGate.EnsureIntactAsync(_store, cancellationToken).ConfigureAwait(false);
        return (await _exporter.ExportAsync(cancellationToken).ConfigureAwait(false)).Bytes;
    }

    internal void MarkExportedThrough(ulong seq) => _exporter.MarkExportedThrough(seq);

    /// <summary>Rotates to the pre-committed <paramref name="next"/> key (signed by it), committing to the key
    /// whose digest is <paramref name="followingKeyDigest"/>; later ops are signed by <paramref name="next"/>.</summary>
    /// <remarks>The token cancels the rotation only until it is signed; once signed, it is persisted.</remarks>
    public Task<AppendReceipt> RotateAsync(SigningKey next, Hash32 followingKeyDigest, uint keyIndex, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        return AppendCoreAsync(log =>
        {
            var signed = log.Rotate(next, followingKeyDigest, keyIndex);
            _pipeline.HoldKey(next);
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

        return AppendCoreAsync(log => log.AppendEncoded(manifest, verb, encoded, branch, claimKey), critical, cancellationToken);
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
        return AppendCoreAsync(log => log.Append(manifest, verb, args(new OpRef(log.Author, log.Seq + 1)), branch, claimKey), critical, cancellationToken);
    }

    /// <summary>The one way an op enters this node: the pipeline's signer runs <paramref name="sign"/> alone, in arrival
    /// order (each op names the one before), then its writer persists and folds it; the at-risk exporter looks after that.</summary>
    private async Task<AppendReceipt> AppendCoreAsync(Func<AuthorLog, SignedOp> sign, bool critical, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var activity = SyncActivities.Start("ledger.append");
        var pending = _pipeline.Submit(sign, critical, cancellationToken);
        var fold = await pending.Persisted.Task.ConfigureAwait(false);
        await _exporter.ExportIfAtRiskAsync(closing: false).ConfigureAwait(false);
        return new AppendReceipt(pending.Signed, fold, pending.Done?.Task ?? Task.CompletedTask);
    }

    /// <summary>One sync round: push the unacknowledged tail of the own chain, then pull from the last
    /// position, verify, persist and fold. Offline is normal: nothing is lost and the round reports it.</summary>
    /// <exception cref="SyncException">The relay served something that cannot be trusted (nothing of it was stored), or the
    /// node's store could not read own ops to push (they stay Local; the others' ops were pulled first).</exception>
    public Task<SyncResult> SyncAsync(IRelayProtocol relay, CancellationToken cancellationToken = default) => _follower.SyncAsync(relay, cancellationToken);

    /// <summary>The rung of one own op.</summary>
    public OpDurability DurabilityOf(OpRef op) => _replica.DurabilityOf(op);

    /// <summary>Every own op's rung, in seq order.</summary>
    public IReadOnlyList<OpDurability> Ladder() => _replica.Ladder();

    /// <summary>The durability ladder: counts per rung, oldest unacknowledged age, store size against its cap.</summary>
    public DurabilityReport Durability() => _replica.Durability();

    /// <summary>What this node finds wrong with itself, worst first, with its durability ladder (risk G2: a device
    /// has no server to read its logs, so it must say when it is in trouble). Thresholds: <see cref="NodeOptions.Health"/>.</summary>
    public NodeHealth Health() => _health.Report();

    /// <summary>The latest relay checkpoint this node verified, if it trusts a relay.</summary>
    public RelayCheckpoint? WitnessedCheckpoint => _witness.WitnessedCheckpoint;

    /// <summary>Gossip notes this node's sync rounds checked (settled notes skipped are not counted); for tests.</summary>
    internal long GossipChecks => _witness.GossipChecks;

    /// <summary>Why this node stopped trusting its relay, or null.</summary>
    public string? FrozenBecause => _witness.FrozenBecause;

    /// <summary>Evidence this node holds (against its relay, or forks it was told about), oldest first. Never dropped.</summary>
    public Task<IReadOnlyList<Evidence>> GetEvidenceAsync(CancellationToken cancellationToken = default) => _witness.GetEvidenceAsync(cancellationToken);

    /// <summary>The name this node cosigns checkpoints under.</summary>
    public string WitnessName => _witness.WitnessName;

    /// <summary>The key that verifies this node's cosignatures (its current signing key, cosignature type).</summary>
    public NoteKey WitnessKey => _witness.WitnessKey;

    /// <summary>Offers a relay checkpoint (from gossip, a peer, a file). It is verified against the trusted relay
    /// key; a smaller one than the one witnessed is refused (no rollback); one this node can check against the
    /// ops it holds either advances the witness or, if it contradicts them, becomes evidence.</summary>
    public Task<CheckpointVerdict> OfferCheckpointAsync(ReadOnlyMemory<byte> note, IRelayProtocol relay, CancellationToken cancellationToken = default) =>
        _witness.OfferCheckpointAsync(note, relay, cancellationToken);

    internal void JoinGossip(PeerGossip gossip) => _witness.JoinGossip(gossip);

    internal void ReceiveGossip(byte[] note) => _witness.ReceiveGossip(note);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _pipeline.Close();

        // First: no gauge may read a store that is closing.
        _metrics.Dispose();

        Exception? exportFailed = null;
        try
        {
            // Appends queued before the close fail (the node is closed); ops already signed are persisted.
            await _pipeline.DrainAsync().ConfigureAwait(false);
            if (_pipeline.Fault is null)
            {
                try
                {
                    await _exporter.ExportIfAtRiskAsync(closing: true).ConfigureAwait(false);
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
            _locks.Dispose();
        }

        // The store is closed either way; the caller who asked for an export on close must hear that it failed.
        if (exportFailed is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exportFailed);
    }
}
