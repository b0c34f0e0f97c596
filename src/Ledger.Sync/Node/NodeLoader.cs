using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>Opens a node's store: reads it a page at a time, checks each op against what the store says about it and
/// against its chain, folds everything into a new kernel, and rebuilds the own ladder and the witness's tree; or, on
/// an empty store, incepts the author. Nothing here runs once the node is started.</summary>
internal static class NodeLoader
{
    public static async Task<LoadedNode> LoadAsync(NodeOptions options, INodeStore store, SigningKey currentKey, (string Label, Hash32 NextKeyDigest)? incept,
        CancellationToken cancellationToken, string? checkpointRefused = null)
    {
        var opening = System.Diagnostics.Stopwatch.GetTimestamp();
        var kernelOptions = NewKernelOptions(options);
        // A device bootstrapped from a relay checkpoint holds only the ops after the prefix: it starts from its base,
        // verified again (risk B2), and its own checkpoints are not used.
        var bootstrapped = incept is null && store is INodeBootstrapStore keeps
            ? await NodeBootstrap.ReloadAsync(options, kernelOptions, keeps, cancellationToken).ConfigureAwait(false)
            : null;
        // From the latest checkpoint when one verifies (risk B2); the log is still read and its chains verified.
        var restored = incept is null && checkpointRefused is null && bootstrapped is null
            ? await NodeCheckpoints.TryRestoreAsync(options, kernelOptions, currentKey, cancellationToken).ConfigureAwait(false)
            : NodeCheckpoints.Restored.None;
        checkpointRefused ??= restored.Refused;
        var kernel = bootstrapped?.Kernel ?? restored.Kernel ?? new LedgerKernel(kernelOptions);
        var folded = 0;
        var verifiers = bootstrapped?.Verifiers ?? new Dictionary<AuthorId, AuthorChainVerifier>();
        OwnLadder? own = null;
        var results = new List<ApplyResult>();
        var applied = new List<Op>();
        AuthorId? me = null;
        var count = 0;
        var prefix = new RelayPrefixTree(store.Cursor, bootstrapped?.Tree);
        // Each op names the hash of the one before, so the signature of a chain's last op vouches for every byte of the
        // chain: one check per author finds bytes changed in the store (a flipped byte in the tip itself included).
        var tips = new Dictionary<AuthorId, (SignedOp Op, VerificationKey Signer)>();
        // From the checkpoint's open state, reading only the records after it (risk B2); refused: replay from genesis.
        NodeTailOpen.Opened? opened = null;
        if (restored.Kernel is not null && restored.Open is { } open && store is INodeTailStore tail)
        {
            var (tailOpened, why) = await NodeTailOpen.OpenAsync(options, store, tail, kernel, restored, open, cancellationToken).ConfigureAwait(false);
            if (why is not null) return await LoadAsync(options, store, currentKey, incept, cancellationToken, $"it does not match the node's log (its open state: {why})").ConfigureAwait(false);
            opened = tailOpened!;
            (verifiers, own, me, prefix, results, applied, folded, tips) = (opened.Verifiers, opened.Own, opened.Me, new RelayPrefixTree(store.Cursor, opened.Tree), opened.Results, opened.Applied, opened.Folded, opened.Tips);
        }

        await foreach (var record in opened is null ? store.ReadAllAsync(cancellationToken) : Empty(cancellationToken))
        {
            count++;
            // What the store says about an op must be what its bytes say: a changed author or seq column beside valid
            // bytes would otherwise file the op under another chain.
            var signed = DecodeStored(record, "op", count);
            var author = signed.Op.Author;
            if (!verifiers.TryGetValue(author, out var verifier)) verifiers[author] = verifier = new AuthorChainVerifier(options.Ledger, author);
            var check = verifier.AppendDeferringSignatureCheck(signed, out var signer);
            if (!check.IsOk)
            {
                // A device bootstrapped from a relay checkpoint holds only the ops after the prefix: say so (risk B2).
                var hint = check.Break == ChainBreak.Gap && verifier.Seq == 0 && !record.Own && store.Cursor > 0
                    ? " — or this is the store of a device bootstrapped from a relay checkpoint that lost its bootstrap base (INodeBootstrapStore): it holds only the ops after the prefix (docs/sync.md, \"Bootstrap of a new device\")"
                    : "";
                throw Error.StoreDamaged("the node store", $"op {count} ({signed.Ref})", $"it does not continue its chain ({check.Break}: {check.Detail}){hint}");
            }
            tips[author] = (signed, signer!);
            restored.Observe(signed.Op);
            var result = kernel.Apply(signed.Op, record.Position);
            if (result.Status != ApplyStatus.Duplicate)
            {
                // Ops the checkpoint covers come back as duplicates: folded before, not again.
                folded++;
                results.Add(result);
                if (options.Folded is not null) applied.Add(signed.Op);
            }
            // The witness's tree of the relay prefix this node holds (records are in stored order, not the relay's).
            prefix.Add(record.Position, record.Bytes.Span);
            if (record.Own)
            {
                if (me is { } first && first != author) throw Error.StoreDamaged("the node store", $"op {count} ({signed.Ref})", $"it marks ops of {first} and of {author} as its own");
                me = author;
                own ??= new OwnLadder(author);
                own.Add(signed, record.RefusedBy is not null ? DurabilityRung.Refused : record.Position is null ? DurabilityRung.Local : DurabilityRung.Durable, record.Position, record.RefusedBy);
            }
        }

        foreach (var (author, (op, signer)) in tips)
        {
            if (!op.VerifySignature(signer))
            {
                throw Error.StoreDamaged("the node store", $"the last op of {author} ({op.Ref})", "its signature does not verify: bytes of this chain were changed in the store");
            }
        }

        if (opened is not null && await NodeTailOpen.CheckWitnessedAsync(options, store, prefix.Tree, cancellationToken).ConfigureAwait(false) is { } unwitnessed)
        {
            return await LoadAsync(options, store, currentKey, incept, cancellationToken, $"it does not match the node's log (its open state: {unwitnessed})").ConfigureAwait(false);
        }

        if (opened is null && restored.Kernel is not null && restored.Verdict() is { } mismatch)
        {
            // The checkpoint verified on its own but does not describe this log: start again from genesis.
            return await LoadAsync(options, store, currentKey, incept, cancellationToken, "it does not match the node's log: " + mismatch).ConfigureAwait(false);
        }

        results.AddRange(kernel.AdvanceRelayFrontier(store.Cursor));
        AuthorLog log;
        if (me is { } author1)
        {
            if (incept is not null) throw Error.Argument("inception needs an empty store; this one holds a node.", nameof(store));
            var tip = verifiers[author1];
            if (tip.Keys!.Current.Id != currentKey.Id && tip.Keys.NextDigest != currentKey.Public.Digest)
            {
                throw Error.Argument($"key {currentKey.Id} is neither the current key ({tip.Keys.Current.Id}) nor the committed next key of {author1}.", nameof(currentKey));
            }

            log = AuthorLog.Resume(tip, currentKey, options.Time, options.OpIds);
        }
        else
        {
            if (incept is not var (label, nextKeyDigest))
            {
                throw Error.Argument("the store holds no node: incept a new author with InceptAsync, or bring back an existing one with RecoverAsync or ImportAsync.", nameof(store));
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

        // A store rolled back (a lost or damaged -wal, an older copy) holds fewer own ops than it committed: signing
        // from its tip would reuse seqs. The node then refuses to sign until it fetched its own ops back.
        OwnHighWater? rolledBackFrom = null;
        if (store.OwnHighWater is { } highWater && me is not null)
        {
            if (highWater.Seq > (ulong)own!.Count)
            {
                rolledBackFrom = highWater;
            }
            else if (own.TryChainHash(highWater.Seq, out var held) && held != highWater.ChainHash)
            {
                throw Error.StoreDamaged("the node store", $"own op {highWater.Seq}", "it is another op than the one the store committed at that seq (its high-water mark says so): the store was replaced or changed");
            }
        }

        var startup = new NodeStartup(me is null ? NodeStartPath.Incepted : NodeStartPath.Reopened, folded + (me is null ? 1 : 0),
            System.Diagnostics.Stopwatch.GetElapsedTime(opening))
        {
            CheckpointOps = restored.Ops,
            CheckpointRefused = checkpointRefused ?? restored.OpenRefused,
            RecordsRead = opened?.RecordsRead ?? count,
            BootstrapPrefix = bootstrapped?.Prefix ?? 0,
            BootstrapSigners = bootstrapped?.Signers ?? 0,
            StoreCheck = StoreIntegrityGate.Status(store),
        };
        var checkpoints = NodeCheckpoints.For(options, log.Author, currentKey, restored.Ops);
        return new LoadedNode(kernel, verifiers, own!, log, prefix.Tree, results, applied, startup, checkpoints, rolledBackFrom);
    }

    private static async IAsyncEnumerable<NodeOpRecord> Empty([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        yield break;
    }

    internal static KernelOptions NewKernelOptions(NodeOptions options)
    {
        if (!LedgerName.IsValid(options.Ledger)) throw Error.Argument("NodeOptions.Ledger must name the ledger.", nameof(options));
        if (options.MaxGroupCommit < 1 || options.PushBatch < 1 || options.PullBatch < 1)
        {
            throw Error.OutOfRange(nameof(options), "NodeOptions.MaxGroupCommit, PushBatch and PullBatch must be at least 1.");
        }
        var kernelOptions = new KernelOptions
        {
            Manifests = options.Manifests, TrackProvenance = options.TrackProvenance, MeterFactory = options.MeterFactory,
            StateMemoryBudget = options.StateMemoryBudget, SegmentStore = options.SegmentStore,
        };
        if (kernelOptions.Manifests is null or ManifestCatalog) KeyEvents.Use(kernelOptions);
        return kernelOptions;
    }

    /// <summary>A stored record's op, decoded; what the store files it as (author, seq) must be what its bytes say, or
    /// the store is damaged. The error names the record as "<paramref name="kind"/> <paramref name="number"/>" (formatted
    /// only then: this runs for every record an open reads).</summary>
    internal static SignedOp DecodeStored(NodeOpRecord record, string kind, long number)
    {
        if (!SignedOpCodec.TryDecode(record.Bytes, out var decoded, out var undecodable))
        {
            throw Error.StoreDamaged("the node store", $"{kind} {number} ({record.Op})", $"its bytes are not a signed op ({undecodable!.Message})", undecodable);
        }

        if (decoded!.Ref != record.Op) throw Error.StoreDamaged("the node store", $"{kind} {number}", $"it is filed as {record.Op} but its bytes are {decoded.Ref}");
        return decoded;
    }
}
