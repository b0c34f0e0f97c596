using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>Brings a node back into an empty store: from the relay with the author's master secret
/// (<see cref="DeviceNode.RecoverAsync"/>), or from an export (<see cref="DeviceNode.ImportAsync"/>).</summary>
internal static class NodeRestore
{
    /// <summary>Brings an author back on a wiped device: fetches its chain from the relay (never re-signing a seq
    /// that exists), derives the pre-committed next key from the master secret, rotates to it, and goes on.
    /// The store must be empty. Other authors' ops arrive with the next <see cref="DeviceNode.SyncAsync"/>.</summary>
    public static async Task<DeviceNode> RecoverAsync(NodeOptions options, INodeStore emptyStore, ReadOnlyMemory<byte> masterSecret, AuthorId author,
        IRelayProtocol relay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(emptyStore);
        ArgumentNullException.ThrowIfNull(relay);
        if (!await emptyStore.IsEmptyAsync(cancellationToken).ConfigureAwait(false)) throw Error.Argument("recovery needs an empty store.", nameof(emptyStore));
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
                    throw Error.Recovery($"the relay answered the fetch of {author} from seq {fromSeq} with {op.Op.Author} seq {op.Op.Seq}; expected seq {chain.Count + 1}.");
                }

                fetched.Add(entry);
                chain.Add(op);
            }
        }

        var tip = AuthorRecovery.FetchTip(options.Ledger, chain);
        var label = AuthorIdentity.LabelOf(author) ?? throw Error.Recovery($"{author} is not a self-certifying author id.");
        var keys = tip.Keys!;
        var next = AuthorRecovery.KeyAt(masterSecret.Span, label, keys.KeyIndex + 1);
        if (next.Public.Digest != keys.NextDigest)
        {
            throw Error.Recovery($"this master secret does not derive the next key {author} committed to: wrong shares, wrong passphrase, or another author.");
        }

        // The fetched chain is this node's own history, held by the relay at the positions it named.
        await emptyStore.AppendAsync(fetched.Select((f, i) => new NodeOpRecord(chain[i].Ref, f.Bytes, true, f.Position)).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var node = await DeviceNode.OpenAsync(options, emptyStore, AuthorRecovery.KeyAt(masterSecret.Span, label, keys.KeyIndex), cancellationToken).ConfigureAwait(false);
        using var following = AuthorRecovery.KeyAt(masterSecret.Span, label, keys.KeyIndex + 2);
        await node.RotateAsync(next, following.Public.Digest, keys.KeyIndex + 1, CancellationToken.None).ConfigureAwait(false);
        node.Startup = node.Startup with { Path = NodeStartPath.Recovered };
        node.LastRestore = new RestoreReport("relay", tip.Seq, 0, chain.Count,
            $"ops {author} signed after seq {tip.Seq} that reached neither the relay nor an export are lost, and how many cannot be known here; import the latest export (NodeOptions.AtRiskExport writes one) to bring them back.");
        return node;
    }

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
        if (!await emptyStore.IsEmptyAsync(cancellationToken).ConfigureAwait(false)) throw Error.Argument("import needs an empty store.", nameof(emptyStore));
        var file = NodeExport.Decode(export);
        if (file.Ledger != options.Ledger) throw Error.Export($"the export is of ledger '{file.Ledger}', this node's is '{options.Ledger}'.");
        var verdict = file.Verify();
        if (!verdict.Ok) throw Error.Export("the export does not verify: " + verdict.Finding);

        // Fold it aside first: a store is written only with ops known to reach the exported state.
        var scratch = new InMemoryNodeStore();
        await WriteToAsync(scratch, file, cancellationToken).ConfigureAwait(false);
        var foldOnly = new NodeOptions { Ledger = options.Ledger, Manifests = options.Manifests, Time = options.Time, OpIds = options.OpIds, TrackProvenance = false };
        Hash32 folded;
        var trial = await DeviceNode.OpenAsync(foldOnly, scratch, currentKey, cancellationToken).ConfigureAwait(false);
        await using (trial.ConfigureAwait(false))
        {
            folded = trial.StateHash();
        }

        if (folded != file.StateHash)
        {
            throw Error.Export($"the export's ops fold to {folded.ToShortString()}, not to the exported state {file.StateHash.ToShortString()}: other manifests, or a tampered file. Nothing was imported.");
        }

        await WriteToAsync(emptyStore, file, cancellationToken).ConfigureAwait(false);
        var node = await DeviceNode.OpenAsync(options, emptyStore, currentKey, cancellationToken).ConfigureAwait(false);
        node.Startup = node.Startup with { Path = NodeStartPath.Imported };
        var own = file.Records.Where(r => r.Own).ToArray();
        node.LastRestore = new RestoreReport("export", own.Length == 0 ? 0 : own.Max(r => r.Op.Seq), own.Count(r => r.Position is null && r.RefusedBy is null), file.Records.Count,
            "ops signed on the lost device after this export, that never reached the relay, are not in it.");
        node.MarkExportedThrough(own.Length == 0 ? 0 : own.Max(r => r.Op.Seq));
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
}
