using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>Starts a new device from a relay-served checkpoint of another member's state (docs/sync.md, "Bootstrap of
/// a new device"), or, when none is acceptable, from genesis, saying why in <see cref="NodeStartup.BootstrapRefused"/>.
/// Everything is verified before anything is written to the store.</summary>
internal static class NodeBootstrap
{
    private const int LeafPage = 1 << 16;

    internal sealed record Accepted(LedgerKernel Kernel, Dictionary<AuthorId, AuthorChainVerifier> Verifiers, MerkleTree Tree, long Prefix, string Origin, byte[] RelayNote, int Signers,
        BootstrapOffer Offer);

    private readonly record struct Outcome(Accepted? Accepted, BootstrapRefusal Refusal, string Why)
    {
        public static Outcome Refuse(BootstrapRefusal refusal, string why) => new(null, refusal, why);
    }

    public static Task<LoadedNode> LoadAsync(NodeOptions options, INodeStore emptyStore, SigningKey currentKey, string label, Hash32 nextKeyDigest,
        IRelayProtocol relay, IRelayBootstrap bootstrap, BootstrapPolicy policy, CancellationToken cancellationToken) =>
        LoadAsync(options, emptyStore, currentKey, label, nextKeyDigest, policy,
            (kernelOptions, trusted, token) => VerifyAsync(options, kernelOptions, trusted, relay, bootstrap, policy, token), cancellationToken);

    /// <summary>From a bootstrap package a peer handed over (<see cref="BaseWire"/>: a member's bootstrap checkpoint, its
    /// key events, the relay's signed checkpoint of the prefix and the prefix's leaf hashes), verified by the same rules as
    /// a relay-served checkpoint; <paramref name="relay"/>, when given, is asked only for witness cosignatures.</summary>
    public static Task<LoadedNode> LoadFromPackageAsync(NodeOptions options, INodeStore emptyStore, SigningKey currentKey, string label, Hash32 nextKeyDigest,
        ReadOnlyMemory<byte> package, IRelayProtocol? relay, BootstrapPolicy policy, CancellationToken cancellationToken) =>
        LoadAsync(options, emptyStore, currentKey, label, nextKeyDigest, policy,
            (kernelOptions, trusted, token) => VerifyPackageAsync(options, kernelOptions, trusted, package, relay, policy, token), cancellationToken);

    private static async Task<LoadedNode> LoadAsync(NodeOptions options, INodeStore emptyStore, SigningKey currentKey, string label, Hash32 nextKeyDigest,
        BootstrapPolicy policy, Func<KernelOptions, NoteKey, CancellationToken, Task<Outcome>> verify, CancellationToken cancellationToken)
    {
        var opening = System.Diagnostics.Stopwatch.GetTimestamp();
        var trusted = options.TrustedRelay ?? throw Error.Argument("bootstrapping needs NodeOptions.TrustedRelay: the prefix must be in a checkpoint the relay signed.", nameof(options));
        if (policy.RequiredSigners < 1 || policy.RequiredCosignatures < 0) throw Error.OutOfRange(nameof(policy), "BootstrapPolicy.RequiredSigners must be at least 1 and RequiredCosignatures not negative.");
        var kernelOptions = NodeLoader.NewKernelOptions(options);
        var outcome = await verify(kernelOptions, trusted, cancellationToken).ConfigureAwait(false);
        if (outcome.Accepted is not { } accepted)
        {
            // Refused: a new author from genesis; its first sync pulls the relay's whole log.
            var fromGenesis = await NodeLoader.LoadAsync(options, emptyStore, currentKey, (label, nextKeyDigest), cancellationToken).ConfigureAwait(false);
            return fromGenesis with { Startup = fromGenesis.Startup with { BootstrapRefusal = outcome.Refusal, BootstrapRefused = outcome.Why } };
        }

        var kernel = accepted.Kernel;
        var log = AuthorLog.Incept(options.Ledger, label, currentKey, nextKeyDigest, out var inception, 0, options.Time, options.OpIds);
        if (accepted.Verifiers.ContainsKey(log.Author)) throw Error.Argument($"author {log.Author} already has a chain in the relay's log: a new device incepts a new author (bring an existing one back with RecoverAsync).", nameof(currentKey));
        var verifier = new AuthorChainVerifier(options.Ledger, log.Author);
        verifier.AppendWithoutSignatureCheck(inception);
        accepted.Verifiers[log.Author] = verifier;
        var results = new List<ApplyResult> { kernel.Apply(inception.Op) };
        var own = new OwnLadder(log.Author);
        own.Add(inception, DurabilityRung.Local, null, null);

        // The store learns the prefix as its cursor (it holds none of the ops below it), the log it is of, and the
        // relay's signed checkpoint of it as the witnessed one.
        if (emptyStore is INodeBootstrapStore keeps)
        {
            await keeps.SaveBootstrapBaseAsync(BaseWire.Encode(accepted.Offer, accepted.RelayNote, accepted.Tree, accepted.Prefix), cancellationToken).ConfigureAwait(false);
        }

        await emptyStore.AppendAsync([new NodeOpRecord(inception.Ref, inception.Bytes, true, null)], accepted.Prefix, cancellationToken).ConfigureAwait(false);
        await emptyStore.SetRelayOriginAsync(accepted.Origin, cancellationToken).ConfigureAwait(false);
        await emptyStore.SaveWitnessAsync(trusted.Name, accepted.RelayNote, cancellationToken).ConfigureAwait(false);
        var startup = new NodeStartup(NodeStartPath.Bootstrapped, 1, System.Diagnostics.Stopwatch.GetElapsedTime(opening))
        {
            BootstrapPrefix = accepted.Prefix,
            BootstrapSigners = accepted.Signers,
        };
        var checkpoints = NodeCheckpoints.For(options, log.Author, currentKey, kernel.AcceptedOps);
        return new LoadedNode(kernel, accepted.Verifiers, own, log, accepted.Tree, results, [inception.Op], startup, checkpoints, null);
    }

    private static async Task<Outcome> VerifyAsync(NodeOptions options, KernelOptions kernelOptions, NoteKey trusted, IRelayProtocol relay, IRelayBootstrap bootstrap,
        BootstrapPolicy policy, CancellationToken cancellationToken)
    {
        var offer = await bootstrap.GetBootstrapOfferAsync(cancellationToken).ConfigureAwait(false);
        if (offer.Checkpoints.Count == 0) return Outcome.Refuse(BootstrapRefusal.NoCheckpoint, "the relay serves no bootstrap checkpoint.");
        Outcome? first = null;
        var decoded = new List<BootstrapCheckpoint>();
        foreach (var envelope in offer.Checkpoints)
        {
            try
            {
                var c = BootstrapWire.Decode(envelope);
                if (c.Ledger == options.Ledger) decoded.Add(c);
                else first ??= Outcome.Refuse(BootstrapRefusal.WrongLedger, $"the checkpoint of {c.Author} is of ledger '{c.Ledger}', not '{options.Ledger}'.");
            }
            catch (LedgerFormatException e)
            {
                first ??= Outcome.Refuse(BootstrapRefusal.Malformed, e.Message);
            }
        }

        var keyEvents = new Dictionary<AuthorId, IReadOnlyList<ReadOnlyMemory<byte>>>();
        foreach (var (author, events) in offer.KeyEvents) keyEvents[author] = events;
        var timelines = new Dictionary<AuthorId, IReadOnlyList<(ulong Seq, KeyState State)>?>();

        // The newest prefix first; the checkpoints of one state (prefix, digest, log, root) vouch together.
        Outcome? newest = null;
        foreach (var group in decoded.GroupBy(c => (c.Prefix, c.Digest, c.Origin, c.Root)).OrderByDescending(g => g.Key.Prefix).ThenBy(g => g.Key.Digest.ToString(), StringComparer.Ordinal))
        {
            var outcome = await VerifyStateAsync(options, kernelOptions, trusted, relay, relay.GetCheckpointAsync, bootstrap.GetLeafHashesAsync, policy, group.ToArray(), offer, keyEvents,
                timelines, cancellationToken).ConfigureAwait(false);
            if (outcome.Accepted is not null) return outcome;
            newest ??= outcome;
        }

        return newest ?? first ?? Outcome.Refuse(BootstrapRefusal.NoCheckpoint, "the relay serves no bootstrap checkpoint.");
    }

    private static async Task<Outcome> VerifyPackageAsync(NodeOptions options, KernelOptions kernelOptions, NoteKey trusted, ReadOnlyMemory<byte> package,
        IRelayProtocol? relay, BootstrapPolicy policy, CancellationToken cancellationToken)
    {
        BootstrapOffer offer;
        byte[] note;
        Hash32[] leafHashes;
        var vouchers = new List<BootstrapCheckpoint>();
        try
        {
            (offer, note, leafHashes) = BaseWire.Decode(package);
            foreach (var envelope in offer.Checkpoints) vouchers.Add(BootstrapWire.Decode(envelope));
        }
        catch (LedgerFormatException e)
        {
            return Outcome.Refuse(BootstrapRefusal.Malformed, "the bootstrap package: " + e.Message);
        }

        if (vouchers.Count == 0) return Outcome.Refuse(BootstrapRefusal.NoCheckpoint, "the bootstrap package holds no checkpoint.");
        if (vouchers.FirstOrDefault(v => v.Ledger != options.Ledger) is { } other)
        {
            return Outcome.Refuse(BootstrapRefusal.WrongLedger, $"the checkpoint of {other.Author} is of ledger '{other.Ledger}', not '{options.Ledger}'.");
        }

        // One state: every voucher of a package names the same prefix, digest, log and root (a peer hands over one).
        if (vouchers.Select(v => (v.Prefix, v.Digest, v.Origin, v.Root)).Distinct().Count() != 1)
        {
            return Outcome.Refuse(BootstrapRefusal.Malformed, "the bootstrap package's checkpoints are of different states.");
        }

        if (leafHashes.Length != vouchers[0].Prefix)
        {
            return Outcome.Refuse(BootstrapRefusal.Malformed, $"the bootstrap package carries {leafHashes.Length} leaf hashes for a checkpoint of prefix {vouchers[0].Prefix}.");
        }

        // Witness cosignatures are read from the relay: without one, a policy that requires them refuses the package.
        if (policy.RequiredCosignatures > 0 && relay is null)
        {
            return Outcome.Refuse(BootstrapRefusal.NotCosigned, $"the policy requires {policy.RequiredCosignatures} witness cosignature(s), which are read from the relay, and no relay was given.");
        }

        var keyEvents = offer.KeyEvents.ToDictionary(k => k.Author, k => k.Events);
        return await VerifyStateAsync(options, kernelOptions, trusted, relay, (_, _) => Task.FromResult<byte[]?>(note),
            (from, count, _) => Task.FromResult<IReadOnlyList<Hash32>>(leafHashes.Skip((int)Math.Min(from, leafHashes.Length)).Take(count).ToArray()),
            policy, vouchers.ToArray(), offer, keyEvents, new(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Outcome> VerifyStateAsync(NodeOptions options, KernelOptions kernelOptions, NoteKey trusted, IRelayProtocol? relay,
        Func<long?, CancellationToken, Task<byte[]?>> checkpointAt, Func<long, int, CancellationToken, Task<IReadOnlyList<Hash32>>> leaves,
        BootstrapPolicy policy, BootstrapCheckpoint[] vouchers, BootstrapOffer offer, Dictionary<AuthorId, IReadOnlyList<ReadOnlyMemory<byte>>> keyEvents,
        Dictionary<AuthorId, IReadOnlyList<(ulong Seq, KeyState State)>?> timelines, CancellationToken cancellationToken)
    {
        var state = vouchers[0];
        var prefix = state.Prefix;

        // 1. The prefix is in the relay's log: the relay signed a checkpoint of exactly it, with the root the state names.
        byte[]? note;
        try
        {
            note = await checkpointAt(prefix, cancellationToken).ConfigureAwait(false);
        }
        catch (RelayProtocolException e)
        {
            return Outcome.Refuse(BootstrapRefusal.PrefixNotCovered, $"prefix {prefix}: {e.Detail}");
        }
        catch (ArgumentOutOfRangeException e)
        {
            // A Relay called in process answers a size beyond its log so (a transport answers RelayProtocolException).
            return Outcome.Refuse(BootstrapRefusal.PrefixNotCovered, $"prefix {prefix} is beyond the relay's log: {e.Message}");
        }

        if (note is null) return Outcome.Refuse(BootstrapRefusal.PrefixNotCovered, "the relay signs no checkpoints.");
        RelayCheckpoint signed;
        try
        {
            var (opened, _, verdict) = RelayCheckpoint.Open(note, trusted);
            if (!verdict.Ok) return Outcome.Refuse(BootstrapRefusal.PrefixNotCovered, "the relay's checkpoint of the prefix does not verify with the trusted relay key: " + verdict.Reason);
            signed = opened;
        }
        catch (LedgerFormatException e)
        {
            return Outcome.Refuse(BootstrapRefusal.PrefixNotCovered, "the relay's checkpoint of the prefix is malformed: " + e.Message);
        }

        if (signed.Origin != state.Origin) return Outcome.Refuse(BootstrapRefusal.WrongLedger, $"the checkpoint is of relay log '{state.Origin}', the trusted relay's is '{signed.Origin}'.");
        if (signed.Size != prefix || signed.Root != state.Root)
        {
            return Outcome.Refuse(BootstrapRefusal.PrefixNotCovered, $"the relay signed root {signed.Root.ToShortString()} for size {signed.Size}; the checkpoint names {state.Root.ToShortString()} for prefix {prefix}.");
        }

        // 2. Witnesses, when the policy requires them: cosigned relay checkpoints at the prefix or beyond it (proven consistent).
        if (policy.RequiredCosignatures > 0 && relay is not null)
        {
            var cosigners = await CosignersAsync(relay, trusted, policy, signed, cancellationToken).ConfigureAwait(false);
            if (cosigners < policy.RequiredCosignatures)
            {
                return Outcome.Refuse(BootstrapRefusal.NotCosigned, $"{cosigners} of the {policy.RequiredCosignatures} witnesses required cosigned a relay checkpoint covering prefix {prefix}.");
            }
        }

        // 3. The state's own claims, decoded (not yet believed).
        Checkpoint inner;
        try
        {
            inner = CheckpointCodec.Decode(state.Checkpoint);
        }
        catch (LedgerFormatException e)
        {
            return Outcome.Refuse(BootstrapRefusal.Malformed, "the kernel checkpoint: " + e.Message);
        }

        var tips = inner.Authors.ToDictionary(a => a.Author);

        // 4. Who vouches: distinct members, each an author of the state, signing with its key at its tip in the state.
        Outcome? refused = null;
        var signers = 0;
        foreach (var voucher in vouchers.DistinctBy(v => v.Author))
        {
            if (policy.TrustedSigners is { } allowed && !allowed.Contains(voucher.Author))
            {
                refused ??= Outcome.Refuse(BootstrapRefusal.SignerNotMember, $"{voucher.Author} is not among the trusted signers.");
                continue;
            }

            if (!tips.TryGetValue(voucher.Author, out var tip))
            {
                refused ??= Outcome.Refuse(BootstrapRefusal.SignerNotMember, $"{voucher.Author} has no op in the state it vouches for (no chain in the relay prefix).");
                continue;
            }

            var keys = KeysAt(options.Ledger, voucher.Author, tip.Seq, keyEvents, timelines);
            if (keys is null)
            {
                refused ??= Outcome.Refuse(BootstrapRefusal.KeyEventsInvalid, $"the key events of {voucher.Author} are missing or do not verify.");
                continue;
            }

            if (keys.RevokedAtSeq is not null)
            {
                refused ??= Outcome.Refuse(BootstrapRefusal.SignerNotMember, $"{voucher.Author} revoked its key at seq {keys.RevokedAtSeq}.");
                continue;
            }

            if (!voucher.Verify(keys.Current))
            {
                refused ??= Outcome.Refuse(BootstrapRefusal.BadSignature, $"the signature of {voucher.Author}'s checkpoint does not verify with its key {keys.Current.Id}.");
                continue;
            }

            signers++;
        }

        if (signers == 0) return refused ?? Outcome.Refuse(BootstrapRefusal.SignerNotMember, "no member signed it.");
        if (signers < policy.RequiredSigners)
        {
            return Outcome.Refuse(BootstrapRefusal.NotCorroborated, $"{signers} distinct member(s) vouch for this state at prefix {prefix}; the policy requires {policy.RequiredSigners}.");
        }

        // 5. The state itself: sections → the signed digest, rows → the state hash, a closed cut, exactly of the prefix.
        if (inner.RelayFrontier != prefix || inner.RelayCut is not { } cut || cut.Size != prefix || cut.Origin != state.Origin || cut.Root != state.Root)
        {
            return Outcome.Refuse(BootstrapRefusal.StateMismatch, $"the state is not the cut of prefix {prefix} (its relay frontier is {inner.RelayFrontier}).");
        }

        LedgerKernel kernel;
        try
        {
            kernel = LedgerKernel.Restore(state.Checkpoint, kernelOptions, state.Digest);
        }
        catch (CheckpointException e)
        {
            return Outcome.Refuse(BootstrapRefusal.StateMismatch, e.Message);
        }
        catch (LedgerFormatException e)
        {
            return Outcome.Refuse(BootstrapRefusal.Malformed, e.Message);
        }

        if (kernel.AcceptedOps != prefix)
        {
            return Outcome.Refuse(BootstrapRefusal.StateMismatch, $"its author tips account for {kernel.AcceptedOps} ops; the relay prefix holds {prefix}.");
        }

        // 6. Every author's chain continues from its tip in the state, checked with its keys there.
        var verifiers = new Dictionary<AuthorId, AuthorChainVerifier>();
        foreach (var tip in inner.Authors)
        {
            if (KeysAt(options.Ledger, tip.Author, tip.Seq, keyEvents, timelines) is not { } keys)
            {
                return Outcome.Refuse(BootstrapRefusal.KeyEventsInvalid, $"the key events of {tip.Author} are missing or do not verify.");
            }

            verifiers[tip.Author] = AuthorChainVerifier.Resume(options.Ledger, tip.Author, tip.Seq, tip.Tip, keys);
        }

        // 7. The witness's tree of the prefix, from the relay's leaf hashes, checked against the signed root.
        var tree = new MerkleTree();
        while (tree.Size < prefix)
        {
            IReadOnlyList<Hash32> page;
            try
            {
                page = await leaves(tree.Size, (int)Math.Min(LeafPage, prefix - tree.Size), cancellationToken).ConfigureAwait(false);
            }
            catch (RelayProtocolException e)
            {
                return Outcome.Refuse(BootstrapRefusal.PrefixNotCovered, "the relay's leaf hashes: " + e.Detail);
            }
            catch (ArgumentOutOfRangeException e)
            {
                return Outcome.Refuse(BootstrapRefusal.PrefixNotCovered, "the relay's leaf hashes: " + e.Message);
            }

            if (page.Count == 0 || tree.Size + page.Count > prefix) return Outcome.Refuse(BootstrapRefusal.PrefixNotCovered, $"the relay served {page.Count} leaf hashes from {tree.Size} of a prefix of {prefix}.");
            foreach (var leaf in page) tree.AppendLeafHash(leaf);
        }

        if (tree.Root(prefix) != signed.Root) return Outcome.Refuse(BootstrapRefusal.PrefixNotCovered, "the relay's leaf hashes do not hash to the root it signed for the prefix.");
        // What a reopen verifies again (BaseWire): these envelopes and the key events of the state's authors.
        var kept = new BootstrapOffer(vouchers.Select(v => (ReadOnlyMemory<byte>)v.ToBytes()).ToArray(),
            offer.KeyEvents.Where(k => tips.ContainsKey(k.Author)).ToArray());
        return new Outcome(new Accepted(kernel, verifiers, tree, prefix, state.Origin, note, signers, kept), default, "");
    }

    /// <summary>On reopen: the base a bootstrapped store keeps, verified again as when it was accepted (the relay's signed
    /// checkpoint of the prefix, the members' signatures, rows → state hash, leaf hashes → root); null when it keeps none.</summary>
    /// <exception cref="StoreDamagedException">The base no longer verifies.</exception>
    public static async Task<Accepted?> ReloadAsync(NodeOptions options, KernelOptions kernelOptions, INodeBootstrapStore store, CancellationToken cancellationToken)
    {
        var bytes = await store.LoadBootstrapBaseAsync(cancellationToken).ConfigureAwait(false);
        if (bytes is null) return null;
        var trusted = options.TrustedRelay ?? throw Error.StoreDamaged("the node store", "its bootstrap base", "the node was bootstrapped from a relay checkpoint; reopen it with NodeOptions.TrustedRelay set");
        BootstrapOffer offer;
        byte[] note;
        Hash32[] leafHashes;
        BootstrapCheckpoint[] vouchers;
        try
        {
            (offer, note, leafHashes) = BaseWire.Decode(bytes);
            vouchers = offer.Checkpoints.Select(c => BootstrapWire.Decode(c)).ToArray();
        }
        catch (LedgerFormatException e)
        {
            throw Error.StoreDamaged("the node store", "its bootstrap base", e.Message, e);
        }

        var keyEvents = offer.KeyEvents.ToDictionary(k => k.Author, k => k.Events);
        var outcome = vouchers.Length == 0 ? Outcome.Refuse(BootstrapRefusal.NoCheckpoint, "it holds no checkpoint.")
            : await VerifyStateAsync(options, kernelOptions, trusted, null, (_, _) => Task.FromResult<byte[]?>(note),
                (from, count, _) => Task.FromResult<IReadOnlyList<Hash32>>(leafHashes.Skip((int)Math.Min(from, leafHashes.Length)).Take(count).ToArray()),
                new BootstrapPolicy(), vouchers, offer, keyEvents, new(), cancellationToken).ConfigureAwait(false);
        return outcome.Accepted ?? throw Error.StoreDamaged("the node store", "its bootstrap base", $"it no longer verifies ({outcome.Refusal}: {outcome.Why})");
    }

    private static KeyState? KeysAt(string ledger, AuthorId author, ulong seq, Dictionary<AuthorId, IReadOnlyList<ReadOnlyMemory<byte>>> keyEvents,
        Dictionary<AuthorId, IReadOnlyList<(ulong Seq, KeyState State)>?> timelines)
    {
        if (!timelines.TryGetValue(author, out var timeline))
        {
            timeline = null;
            if (keyEvents.TryGetValue(author, out var events))
            {
                var ops = new List<SignedOp>(events.Count);
                foreach (var e in events)
                {
                    if (!SignedOpCodec.TryDecode(e, out var op, out _)) break;
                    ops.Add(op!);
                }

                if (ops.Count == events.Count && KeyEventLog.TryVerify(ledger, author, ops, out var verified, out _)) timeline = verified;
            }

            timelines[author] = timeline;
        }

        return timeline is null ? null : KeyEventLog.StateBefore(timeline, seq + 1);
    }

    private static async Task<int> CosignersAsync(IRelayProtocol relay, NoteKey trusted, BootstrapPolicy policy, RelayCheckpoint prefix, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var bytes in await relay.GetCosignaturesAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var (checkpoint, note, verdict) = RelayCheckpoint.Open(bytes, trusted);
                if (!verdict.Ok || checkpoint.Origin != prefix.Origin || checkpoint.Size < prefix.Size) continue;
                if (checkpoint.Size > prefix.Size && prefix.Size > 0)
                {
                    var proof = await relay.GetConsistencyProofAsync(prefix.Size, checkpoint.Size, cancellationToken).ConfigureAwait(false);
                    if (!MerkleProofs.VerifyConsistency(prefix.Size, checkpoint.Size, proof, prefix.Root, checkpoint.Root)) continue;
                }
                else if (checkpoint.Size == prefix.Size && checkpoint.Root != prefix.Root)
                {
                    continue;
                }

                foreach (var witness in Cosignatures.Verify(note, policy.Witnesses, out _)) names.Add(witness.Name);
            }
            catch (LedgerFormatException)
            {
                // A note that is not a checkpoint cosigns nothing.
            }
            catch (RelayProtocolException)
            {
                // No proof for it: it covers nothing provable.
            }
        }

        return names.Count;
    }
}
