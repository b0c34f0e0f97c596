using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>Opens a node from its checkpoint reading only the records stored after it (risk B2): the chain verifiers
/// resume from the checkpoint's author tips, each checked by reading just the tip op (its chain hash, its signature under
/// the key state) and the author's key events (verified again, their key state compared); the own ladder starts from its
/// compacted acknowledged prefix (the op at its mark read and compared) plus the own ops after it; the witness's tree from
/// its compact frontier (which must rebuild the recorded root). Anything that does not verify: the node replays its log.</summary>
internal static class NodeTailOpen
{
    /// <summary>What was read, or why the open state was refused.</summary>
    internal sealed record Opened(Dictionary<AuthorId, AuthorChainVerifier> Verifiers, OwnLadder Own, AuthorId Me, MerkleTree Tree, List<ApplyResult> Results,
        List<Op> Applied, int Folded, long RecordsRead, Dictionary<AuthorId, (SignedOp Op, VerificationKey Signer)> Tips);

    public static async Task<(Opened? Opened, string? Refused)> OpenAsync(NodeOptions options, INodeStore store, INodeTailStore tail, LedgerKernel kernel,
        NodeCheckpoints.Restored restored, NodeOpenState open, CancellationToken cancellationToken)
    {
        if (restored.Signer is not { } me) return (null, "it names no signer");
        if (open.Record < 0 || open.Record > tail.LastRecord) return (null, $"its open state covers store record {open.Record}, but the store holds {tail.LastRecord}");
        if (open.Prefix < 0 || open.Prefix > kernel.RelayFrontier) return (null, $"its witness frontier is of {open.Prefix} leaves, past the folded relay prefix {kernel.RelayFrontier}");
        MerkleTree tree;
        try
        {
            tree = MerkleTree.FromFrontier(open.Prefix, open.Frontier);
        }
        catch (ArgumentOutOfRangeException e)
        {
            return (null, "its witness frontier is malformed: " + e.Message);
        }

        if (tree.Root() != open.Root) return (null, $"its witness frontier does not rebuild the root it recorded for the relay prefix of {open.Prefix} ({open.Root.ToShortString()})");

        // The tips are the kernel checkpoint's, author by author (both signed; a writer's bug would show here).
        if (open.Authors.Count != restored.Tips.Count) return (null, $"its open state names {open.Authors.Count} authors, its state {restored.Tips.Count}");
        foreach (var a in open.Authors)
        {
            if (!restored.Tips.TryGetValue(a.Author, out var t) || t.Seq != a.Seq || t.Tip != a.Tip) return (null, $"its tip of {a.Author} at seq {a.Seq} is not the state's");
            if (a.KeyEvents.Count == 0 || a.KeyEvents[0] != 1 || a.KeyEvents[^1] > a.Seq) return (null, $"its key events of {a.Author} do not start at the inception");
        }

        // Read just the records that vouch for the open state: each tip, each key event, the ladder's mark.
        var wanted = new List<OpRef>();
        foreach (var a in open.Authors)
        {
            wanted.Add(new OpRef(a.Author, a.Seq));
            foreach (var seq in a.KeyEvents) wanted.Add(new OpRef(a.Author, seq));
        }

        if (open.Ladder.Through > 0) wanted.Add(new OpRef(me, open.Ladder.Through));
        Dictionary<OpRef, SignedOp> read = [];
        try
        {
            var bytes = await store.LoadAsync(wanted, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < wanted.Count; i++)
            {
                if (!SignedOpCodec.TryDecode(bytes[i], out var op, out var error)) return (null, $"the store's {wanted[i]} does not decode ({error!.Message})");
                if (op!.Ref != wanted[i]) return (null, $"the store's {wanted[i]} is {op.Ref}");
                read[wanted[i]] = op;
            }
        }
        catch (KeyNotFoundException e)
        {
            return (null, "the store does not hold an op it names: " + e.Message);
        }

        var verifiers = new Dictionary<AuthorId, AuthorChainVerifier>();
        foreach (var a in open.Authors)
        {
            var events = a.KeyEvents.Select(seq => read[new OpRef(a.Author, seq)]).ToArray();
            if (!KeyEventLog.TryVerify(options.Ledger, a.Author, events, out var timeline, out var problem)) return (null, $"the key events of {a.Author} it names do not verify: {problem}");
            var keys = timeline[^1].State;
            if (keys.Digest() != a.KeyState) return (null, $"its key state of {a.Author} is not the one its key events fold to");
            var tipOp = read[new OpRef(a.Author, a.Seq)];
            if (tipOp.ChainHash != a.Tip) return (null, $"its tip of {a.Author} at seq {a.Seq} is {a.Tip.ToShortString()}, the store's op there hashes to {tipOp.ChainHash.ToShortString()}");
            if (!tipOp.VerifySignature(keys.Current)) return (null, $"the store's op {tipOp.Ref} does not verify under the key state it names");
            verifiers[a.Author] = AuthorChainVerifier.Resume(options.Ledger, a.Author, a.Seq, a.Tip, keys);
        }

        if (open.Ladder.Through > 0 && read[new OpRef(me, open.Ladder.Through)].ChainHash != open.Ladder.ChainHash)
        {
            return (null, $"its own ladder's mark at seq {open.Ladder.Through} is {open.Ladder.ChainHash.ToShortString()}, the store's op there hashes to {read[new OpRef(me, open.Ladder.Through)].ChainHash.ToShortString()}");
        }

        var results = new List<ApplyResult>();
        var applied = new List<Op>();
        var prefix = new RelayPrefixTree(store.Cursor, tree);
        var own = OwnLadder.Compacted(me, open.Ladder.Through, open.Ladder.ChainHash, open.Ladder.Durable, open.Ladder.Won, open.Ladder.Lost);
        long records = 0;

        // The own ops after the compacted prefix up to the checkpoint's own tip (their rungs and positions as the store holds
        // them now), each linked to the one before by its chain hash; they get the positions recorded since.
        var ownTip = verifiers.TryGetValue(me, out var mine) ? mine.Seq : 0;
        var prev = open.Ladder.Through == 0 ? default : open.Ladder.ChainHash;
        await foreach (var record in tail.ReadOwnAfterAsync(me, open.Ladder.Through, cancellationToken).ConfigureAwait(false))
        {
            // Own ops past the checkpoint's own tip were not folded when it was taken, so they are stored after its record
            // (a batch in flight holds the record back): the tail below reads, verifies and ladders them. Not read twice.
            records++;
            if (ownTip > 0 && record.Op.Seq > ownTip) break;
            if (!SignedOpCodec.TryDecode(record.Bytes, out var signed, out var error)) return (null, $"the store's own op {record.Op} does not decode ({error!.Message})");
            if (signed!.Ref != record.Op || signed.Op.Prev != prev) return (null, $"the store's own op {record.Op} does not continue the own chain from the ladder's mark");
            prev = signed.ChainHash;
            if (signed.Op.Seq <= ownTip && record.Position is { } p) results.AddRange(kernel.AssignPosition(signed.Ref, p));
            own.Add(signed, record.RefusedBy is not null ? DurabilityRung.Refused : record.Position is null ? DurabilityRung.Local : DurabilityRung.Durable, record.Position, record.RefusedBy);
            prefix.Add(record.Position, record.Bytes.Span);
        }

        if (ownTip > 0 && (ulong)own.Count < ownTip) return (null, $"the store holds own ops up to {own.Count}, the checkpoint {ownTip}");
        if (ownTip > 0 && own.TryChainHash(ownTip, out var ownHash) && ownHash != verifiers[me].Tip) return (null, "the own ops after the ladder's mark do not end at the own tip");

        // The tail: every record stored after the checkpoint's, in stored order (those the kernel holds come back as duplicates).
        var folded = 0;
        var tips = new Dictionary<AuthorId, (SignedOp Op, VerificationKey Signer)>();
        await foreach (var record in tail.ReadAfterAsync(open.Record, cancellationToken).ConfigureAwait(false))
        {
            records++;
            var signed = NodeLoader.DecodeStored(record, "record", open.Record + records);
            var author = signed.Op.Author;
            if (record.Own && author != me) throw Error.StoreDamaged("the node store", $"op {signed.Ref}", $"it marks ops of {me} and of {author} as its own");
            if (!verifiers.TryGetValue(author, out var verifier)) verifiers[author] = verifier = new AuthorChainVerifier(options.Ledger, author);
            if (signed.Op.Seq > verifier.Seq)
            {
                var check = verifier.AppendDeferringSignatureCheck(signed, out var signer);
                if (!check.IsOk) throw Error.StoreDamaged("the node store", $"op {signed.Ref}", $"it does not continue its chain ({check.Break}: {check.Detail})");
                tips[author] = (signed, signer!);
            }

            var result = kernel.Apply(signed.Op, record.Position);
            if (result.Status != ApplyStatus.Duplicate)
            {
                folded++;
                results.Add(result);
                if (options.Folded is not null) applied.Add(signed.Op);
            }

            prefix.Add(record.Position, record.Bytes.Span);
            if (record.Own && signed.Op.Seq > (ulong)own.Count)
            {
                own.Add(signed, record.RefusedBy is not null ? DurabilityRung.Refused : record.Position is null ? DurabilityRung.Local : DurabilityRung.Durable, record.Position, record.RefusedBy);
            }
        }

        // Every own op the store holds was read (after the mark) and must now be in the chain the tail folded: an own op
        // the tail did not reach lies at or below the checkpoint's record without being in its state.
        var foldedOwn = verifiers.TryGetValue(me, out var chain) ? chain.Seq : 0;
        if (foldedOwn != (ulong)own.Count) return (null, $"the store holds own ops up to seq {own.Count}, but the checkpoint and the records after it hold them up to {foldedOwn}");
        return (new Opened(verifiers, own, me, prefix.Tree, results, applied, folded, records, tips), null);
    }

    /// <summary>After the tail: the relay-signed checkpoint this node witnessed, when the tree covers it, must have its root.</summary>
    public static async Task<string?> CheckWitnessedAsync(NodeOptions options, INodeStore store, MerkleTree tree, CancellationToken cancellationToken)
    {
        if (options.TrustedRelay is not { } trusted) return null;
        // A node that witnessed no relay when the checkpoint was taken did not extend its tree: it cannot witness from it.
        if (tree.Size != store.Cursor) return $"the witness tree it rebuilds holds {tree.Size} of the relay prefix's {store.Cursor} leaves";
        if (!(await store.LoadWitnessesAsync(cancellationToken).ConfigureAwait(false)).TryGetValue(trusted.Name, out var note)) return null;
        try
        {
            var (checkpoint, _, verdict) = RelayCheckpoint.Open(note, trusted);
            if (!verdict.Ok || checkpoint.Size < tree.Base || checkpoint.Size > tree.Size) return null;
            return tree.Root(checkpoint.Size) == checkpoint.Root ? null
                : $"the witness tree it rebuilds has root {tree.Root(checkpoint.Size).ToShortString()} at size {checkpoint.Size}, where the relay signed {checkpoint.Root.ToShortString()}";
        }
        catch (LedgerFormatException)
        {
            return null;
        }
    }
}
