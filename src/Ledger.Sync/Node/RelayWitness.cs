using System.Collections.Concurrent;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The witness in every node: the relay's order as a Merkle tree of the ops this node pulled, checked
/// against the relay-signed checkpoint of every pull; the latest checkpoint per relay, moving only forward;
/// cosigning and gossiping it; and evidence (and a frozen relay) when another view of the same relay contradicts it.</summary>
/// <remarks>Its own state is under the witness gate (<see cref="NodeLocks.Witness"/>, a leaf) and advances are
/// serialized by <see cref="NodeLocks.WitnessWrite"/> (rank 3, held across the store write); the Merkle tree is
/// under the fold gate (rank 5), because pulls extend it while folding.</remarks>
internal sealed class RelayWitness
{
    private readonly NodeOptions _options;
    private readonly INodeStore _store;
    private readonly EvidenceOutbox _evidence;
    private readonly NodeLocks _locks;
    private readonly LocalReplica _replica;
    private readonly AppendPipeline _pipeline;
    private readonly DeviceNode _owner;
    // Under the fold gate.
    private MerkleTree _tree = new();
    private readonly ConcurrentQueue<byte[]> _gossipInbox = new();
    // Only touched by a sync round (one at a time, under the sync gate).
    private readonly List<byte[]> _deferredGossip = [];
    // Under the witness gate.
    private (RelayCheckpoint Checkpoint, byte[] Note)? _witnessed;
    // Evidence held, counted by kind (what Health reports without reading the store); under the witness gate.
    private readonly Dictionary<string, int> _evidenceKinds = new(StringComparer.Ordinal);
    private string? _frozen;
    private PeerGossip? _gossip;
    // Gossip notes already checked to a final verdict (SettledGossip says why); four relay windows' worth.
    private readonly SettledGossip _settled = new(4 * 1024);
    private long _gossipChecks;
    // The witnessed checkpoint this node last cosigned and posted (sync rounds only, one at a time): an unchanged one is
    // not cosigned again, so a quiet node does not push a note a round into the relay's list (its newest 1,024), which
    // every node reads and which would otherwise be filled by idle devices and forget the notes that matter.
    private (long Size, Hash32 Root)? _lastCosigned;

    public RelayWitness(NodeOptions options, INodeStore store, NodeLocks locks, LocalReplica replica, AppendPipeline pipeline, DeviceNode owner)
    {
        _options = options;
        _store = store;
        _evidence = new EvidenceOutbox(store);
        _locks = locks;
        _replica = replica;
        _pipeline = pipeline;
        _owner = owner;
    }

    /// <summary>The evidence held, counted by kind.</summary>
    public KeyValuePair<string, int>[] EvidenceKinds()
    {
        lock (_locks.Witness) return _evidenceKinds.ToArray();
    }

    /// <summary>The latest relay checkpoint this node verified, if it trusts a relay.</summary>
    public RelayCheckpoint? WitnessedCheckpoint
    {
        get
        {
            lock (_locks.Witness) return _witnessed?.Checkpoint;
        }
    }

    /// <summary>Why this node stopped trusting its relay, or null.</summary>
    public string? FrozenBecause
    {
        get
        {
            lock (_locks.Witness) return _frozen;
        }
    }

    /// <summary>Evidence this node holds (against its relay, or forks it was told about), oldest first. Never dropped.</summary>
    public Task<IReadOnlyList<Evidence>> GetEvidenceAsync(CancellationToken cancellationToken = default) => _evidence.AllAsync(cancellationToken);

    /// <summary>The name this node cosigns checkpoints under.</summary>
    public string WitnessName => "ledger-witness/" + _pipeline.Author.Value;

    /// <summary>The key that verifies this node's cosignatures (its current signing key, cosignature type).</summary>
    public NoteKey WitnessKey
    {
        get
        {
            lock (_locks.Fold) return NoteKey.Create(WitnessName, _replica.OwnChain.Keys!.Current, NoteKey.Cosignature);
        }
    }

    /// <summary>Offers a relay checkpoint (from gossip, a peer, a file). It is verified against the trusted relay
    /// key; a smaller one than the one witnessed is refused (no rollback); one this node can check against the
    /// ops it holds either advances the witness or, if it contradicts them, becomes evidence.</summary>
    public Task<CheckpointVerdict> OfferCheckpointAsync(ReadOnlyMemory<byte> note, IRelayProtocol relay, CancellationToken cancellationToken = default) =>
        OfferAsync(note, relay, null, cancellationToken);

    /// <summary>Gossip notes checked by sync rounds (those skipped as already settled are not counted).</summary>
    public long GossipChecks => Interlocked.Read(ref _gossipChecks);

    /// <summary>Checks an offered relay checkpoint (see <see cref="OfferCheckpointAsync"/>).</summary>
    /// <param name="note">The signed note.</param>
    /// <param name="relay">The relay, for proofs and for evidence.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <param name="settleAs">The note's hash, to remember it as settled when its verdict is final: its relay signature
    /// or form is bad (the same bytes are always refused), or its size is one this node holds and its root matched
    /// (held ops never change, and the witness only moves forward, so a later check does nothing new). A note larger
    /// than what is held is not settled: once its ops are pulled it must get the truth test.</param>
    private async Task<CheckpointVerdict> OfferAsync(ReadOnlyMemory<byte> note, IRelayProtocol relay, Hash32? settleAs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(relay);
        var trusted = _options.TrustedRelay ?? throw Error.InvalidOperation("NodeOptions.TrustedRelay is not set: this node witnesses no relay.");
        RelayCheckpoint checkpoint;
        try
        {
            var (opened, _, verdict) = RelayCheckpoint.Open(note.Span, trusted);
            if (!verdict.Ok)
            {
                Settle(settleAs);
                return CheckpointVerdict.Refused("not signed by the trusted relay: " + verdict.Reason);
            }

            checkpoint = opened;
        }
        catch (LedgerFormatException e)
        {
            Settle(settleAs);
            return CheckpointVerdict.Refused("malformed: " + e.Message);
        }

        long treeSize;
        Hash32? mine;
        lock (_locks.Fold)
        {
            treeSize = _tree.Size;
            mine = checkpoint.Size <= treeSize && checkpoint.Size >= _tree.Base ? _tree.Root(checkpoint.Size) : null;
        }

        // First the truth test, whatever the size: a checkpoint that contradicts the ops held here is evidence,
        // even if it is too old to move the witness.
        if (mine is { } root && root != checkpoint.Root)
        {
            return await ContradictionAsync(checkpoint, note.ToArray(), root, relay, cancellationToken).ConfigureAwait(false);
        }

        lock (_locks.Witness)
        {
            if (_witnessed is { } current && checkpoint.Size < current.Checkpoint.Size)
            {
                if (mine is not null) Settle(settleAs);
                return CheckpointVerdict.Refused($"rollback: size {checkpoint.Size} is below the witnessed size {current.Checkpoint.Size}.");
            }
        }

        if (mine is not null)
        {
            var advanced = await AdvanceWitnessAsync(checkpoint, note.ToArray(), cancellationToken).ConfigureAwait(false);
            Settle(settleAs);
            return advanced ? CheckpointVerdict.Advanced(checkpoint) : CheckpointVerdict.Refused("a concurrent update moved the witness past it.");
        }

        // Larger than what this node holds: the relay must prove it extends the witnessed checkpoint.
        (RelayCheckpoint Checkpoint, byte[] Note)? witnessed;
        lock (_locks.Witness) witnessed = _witnessed;
        if (witnessed is { } w && w.Checkpoint.Size > 0)
        {
            var proof = await relay.GetConsistencyProofAsync(w.Checkpoint.Size, checkpoint.Size, cancellationToken).ConfigureAwait(false);
            if (!MerkleProofs.VerifyConsistency(w.Checkpoint.Size, checkpoint.Size, proof, w.Checkpoint.Root, checkpoint.Root))
            {
                return CheckpointVerdict.Refused($"inconsistent: the relay cannot prove size {checkpoint.Size} extends the witnessed size {w.Checkpoint.Size}.");
            }
        }

        return await AdvanceWitnessAsync(checkpoint, note.ToArray(), cancellationToken).ConfigureAwait(false)
            ? CheckpointVerdict.Advanced(checkpoint) : CheckpointVerdict.Refused("a concurrent update moved the witness past it.");
    }

    private void Settle(Hash32? note)
    {
        if (note is { } hash) _settled.Add(hash);
    }

    public void JoinGossip(PeerGossip gossip) => _gossip = gossip;

    public void ReceiveGossip(byte[] note) => _gossipInbox.Enqueue(note);

    /// <summary>Moves the witnessed checkpoint forward, atomically: a concurrent update can never move it back.</summary>
    public async Task<bool> AdvanceWitnessAsync(RelayCheckpoint checkpoint, byte[] note, CancellationToken cancellationToken)
    {
        await _locks.WitnessWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_locks.Witness)
            {
                if (_witnessed is { } current && current.Checkpoint.Size >= checkpoint.Size) return current.Checkpoint.Size == checkpoint.Size && current.Checkpoint.Root == checkpoint.Root;
            }

            // Stored before it is believed: a node that restarts never witnesses less than it told anyone.
            await _store.SaveWitnessAsync(checkpoint.Origin, note, cancellationToken).ConfigureAwait(false);
            lock (_locks.Witness) _witnessed = (checkpoint, note);
            return true;
        }
        finally
        {
            _locks.WitnessWrite.Release();
        }
    }

    /// <summary>The latest relay checkpoint this node verified and its signed note, if it trusts a relay.</summary>
    public (RelayCheckpoint Checkpoint, byte[] Note)? Witnessed
    {
        get
        {
            lock (_locks.Witness) return _witnessed;
        }
    }

    /// <summary>The first <paramref name="size"/> leaf hashes this node holds, or null when it holds fewer.</summary>
    public Hash32[]? Leaves(long size)
    {
        lock (_locks.Fold)
        {
            if (size > _tree.Size) return null;
            var leaves = new Hash32[size];
            for (long i = 0; i < size; i++) leaves[i] = _tree.Leaf(i);
            return leaves;
        }
    }

    /// <summary>The root of the first <paramref name="size"/> leaves this node holds, or null when it holds fewer.</summary>
    public Hash32? TreeRoot(long size)
    {
        lock (_locks.Fold) return size <= _tree.Size && size >= _tree.Base ? _tree.Root(size) : null;
    }

    /// <summary>Under the fold gate: the compact frontier of the tree at <paramref name="size"/> leaves, or at fewer when
    /// the tree holds fewer (a node that witnesses no relay does not extend it), with its size and root (risk B2).</summary>
    public (long Size, IReadOnlyList<Hash32> Frontier, Hash32 Root) FrontierAt(long size)
    {
        lock (_locks.Fold)
        {
            var at = Math.Max(_tree.Base, Math.Min(size, _tree.Size));
            return (at, _tree.Frontier(at), _tree.Root(at));
        }
    }

    /// <summary>Takes the tree of the relay prefix built while the store was read (records in applied order hold
    /// the relay's positions in order), the witnessed checkpoint and any evidence against the trusted relay.</summary>
    public async Task LoadAsync(MerkleTree tree, CancellationToken cancellationToken)
    {
        // Adopted, not copied: a tree started from a checkpoint's frontier (risk B2) has no leaves left of it to copy.
        lock (_locks.Fold) _tree = tree;
        _settled.Clear();
        if (_options.TrustedRelay is { } trusted && (await _store.LoadWitnessesAsync(cancellationToken).ConfigureAwait(false)).TryGetValue(trusted.Name, out var note))
        {
            var (checkpoint, _, verdict) = RelayCheckpoint.Open(note, trusted);
            if (verdict.Ok) _witnessed = (checkpoint, note);
        }

        var against = _options.TrustedRelay?.ToVkey();
        foreach (var (kind, accused, _) in await _store.ReadEvidenceAsync(cancellationToken).ConfigureAwait(false))
        {
            _evidenceKinds[kind] = _evidenceKinds.GetValueOrDefault(kind) + 1;
            if (against is not null && accused == against) _frozen = "evidence against this relay is on record.";
        }
    }

    /// <summary>Checks a pull batch against the relay-signed checkpoint of the prefix it completes; on success the
    /// leaves stay in the tree, on failure they are removed and the batch is rejected before anything is stored.</summary>
    public (RelayCheckpoint, byte[])? VerifyPulled(IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)> ops, byte[]? note, long end)
    {
        if (_options.TrustedRelay is not { } trusted) return null;
        lock (_locks.Fold)
        {
            var before = _tree.Size;
            foreach (var (position, bytes) in ops)
            {
                if (position != _tree.Size) continue;
                _tree.Append(bytes.Span);
            }

            try
            {
                if (note is null) throw Error.Sync("the relay served ops without a signed checkpoint, but this node only accepts a witnessed order.");
                RelayCheckpoint checkpoint;
                try
                {
                    var (opened, _, verdict) = RelayCheckpoint.Open(note, trusted);
                    if (!verdict.Ok) throw Error.Sync("the relay's checkpoint is not signed by the trusted relay key: " + verdict.Reason);
                    checkpoint = opened;
                }
                catch (LedgerFormatException e)
                {
                    throw Error.Sync("the relay's checkpoint is malformed: " + e.Message, e);
                }

                if (checkpoint.Size != end || _tree.Size != end) throw Error.Sync($"the relay's checkpoint covers {checkpoint.Size} ops where {end} were served.");
                if (_tree.Root(end) != checkpoint.Root) throw Error.Sync($"the ops the relay served do not hash to the root it signed for size {end}.");
                return (checkpoint, note);
            }
            catch
            {
                _tree.Truncate(before);
                _settled.Clear();
                throw;
            }
        }
    }

    /// <summary>The order just pulled must agree with the checkpoint witnessed before (which may have come from a
    /// peer): if the witnessed size is now covered by this node's ops, their root must be the witnessed root.</summary>
    public async Task CheckAgainstWitnessAsync(long before, IRelayProtocol relay, CancellationToken cancellationToken)
    {
        if (_options.TrustedRelay is null) return;
        (RelayCheckpoint Checkpoint, byte[] Note)? witnessed;
        lock (_locks.Witness) witnessed = _witnessed;
        if (witnessed is not { } w) return;
        Hash32? mine;
        lock (_locks.Fold) mine = w.Checkpoint.Size <= _tree.Size && w.Checkpoint.Size >= _tree.Base ? _tree.Root(w.Checkpoint.Size) : null;
        if (mine is not { } root || root == w.Checkpoint.Root) return;
        await ContradictionAsync(w.Checkpoint, w.Note, root, relay, cancellationToken).ConfigureAwait(false);
        lock (_locks.Fold) _tree.Truncate(before);
        _settled.Clear();
        ThrowIfFrozen();
    }

    /// <summary>After a round: cosign the witnessed checkpoint, hand it to the relay and to peers, and compare
    /// every checkpoint received from them with this node's view.</summary>
    public async Task GossipAsync(IRelayProtocol relay, CancellationToken cancellationToken)
    {
        if (_options.TrustedRelay is null) return;
        (RelayCheckpoint Checkpoint, byte[] Note)? witnessed;
        lock (_locks.Witness) witnessed = _witnessed;
        if (witnessed is { } w && _lastCosigned != (w.Checkpoint.Size, w.Checkpoint.Root))
        {
            SigningKey key;
            lock (_locks.Fold) key = _pipeline.Key(_replica.OwnChain.Keys!.Current.Id);
            var cosigned = Cosignatures.Cosign(SignedNote.Parse(w.Note), WitnessName, key, _options.Time.GetUtcNow()).ToBytes();
            await relay.PostCosignatureAsync(cosigned, cancellationToken).ConfigureAwait(false);
            _gossip?.Publish(_owner, cosigned);
            _lastCosigned = (w.Checkpoint.Size, w.Checkpoint.Root);
        }

        var received = new List<byte[]>(_deferredGossip);
        _deferredGossip.Clear();
        while (_gossipInbox.TryDequeue(out var note)) received.Add(note);
        received.AddRange(await relay.GetCosignaturesAsync(cancellationToken).ConfigureAwait(false));
        foreach (var (note, hash) in received.Select(n => (Note: n, Hash: Hash32.Sha256(n))).DistinctBy(n => n.Hash))
        {
            if (FrozenBecause is not null) return;
            if (_settled.Contains(hash)) continue;
            Interlocked.Increment(ref _gossipChecks);
            var verdict = await OfferAsync(note, relay, hash, cancellationToken).ConfigureAwait(false);
            if (verdict.Status == CheckpointStatus.Refused && verdict.Reason.StartsWith("inconsistent", StringComparison.Ordinal)) _deferredGossip.Add(note);
        }
    }

    /// <summary>A relay-signed checkpoint contradicts the ops this node holds. Ask the relay to sign this node's
    /// view at that size: two relay-signed checkpoints of one size with different roots are self-contained evidence.</summary>
    private async Task<CheckpointVerdict> ContradictionAsync(RelayCheckpoint theirs, byte[] theirNote, Hash32 mine, IRelayProtocol relay, CancellationToken cancellationToken)
    {
        var trusted = _options.TrustedRelay!;
        byte[]? oursNote = null;
        (RelayCheckpoint Checkpoint, byte[] Note)? witnessed;
        lock (_locks.Witness) witnessed = _witnessed;
        if (witnessed is { } w && w.Checkpoint.Size == theirs.Size) oursNote = w.Note;
        oursNote ??= await relay.GetCheckpointAsync(theirs.Size, cancellationToken).ConfigureAwait(false);
        var noEvidence = "the relay would not sign this node's view";
        if (oursNote is not null)
        {
            try
            {
                var (ours, _, verdict) = RelayCheckpoint.Open(oursNote, trusted);
                if (verdict.Ok && ours.Size == theirs.Size && ours.Root == mine)
                {
                    var evidence = SplitViewEvidence.FromCheckpoints(_options.Ledger, trusted, SignedNote.Parse(oursNote), SignedNote.Parse(theirNote));
                    var proof = evidence.Verify();
                    if (proof.Valid)
                    {
                        await FreezeAsync(evidence, proof.Finding, cancellationToken).ConfigureAwait(false);
                        return CheckpointVerdict.Evidence(evidence);
                    }

                    noEvidence = proof.Finding;
                }
                else
                {
                    noEvidence = verdict.Ok ? $"the relay signed size {ours.Size} with root {ours.Root.ToShortString()}" : verdict.Reason;
                }
            }
            catch (LedgerFormatException e)
            {
                noEvidence = e.Message;
            }
        }

        lock (_locks.Witness) _frozen ??= $"relay {trusted.Name} signed root {theirs.Root.ToShortString()} for size {theirs.Size}, but the ops it served this node hash to {mine.ToShortString()} (no self-contained evidence: {noEvidence}).";
        return CheckpointVerdict.Refused("contradicts the ops this node holds; the relay is no longer trusted.");
    }

    private async Task FreezeAsync(Evidence evidence, string finding, CancellationToken cancellationToken)
    {
        // Stop trusting the relay first; then keep the evidence. A full store must not drop it (EvidenceOutbox).
        lock (_locks.Witness)
        {
            _frozen ??= finding;
            _evidenceKinds[evidence.Kind] = _evidenceKinds.GetValueOrDefault(evidence.Kind) + 1;
        }

        _evidence.Add(evidence);
        await _evidence.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public void ThrowIfFrozen()
    {
        if (FrozenBecause is { } why) throw Error.RelayFrozen($"this node no longer trusts its relay: {why}");
    }
}
