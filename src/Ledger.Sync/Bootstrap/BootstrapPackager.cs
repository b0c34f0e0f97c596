using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>Makes a bootstrap package (docs/wire-format.md, "Bootstrap package v1"): what a member hands a new device
/// directly — over a local network, a cable, a file — so the device starts from the member's checkpoint without the
/// relay serving the state. The package carries everything the device checks, and nothing it must believe: the member's
/// signed bootstrap checkpoint, the member's key events (its key at its tip), the relay's signed checkpoint of exactly
/// the prefix, and the prefix's leaf hashes (which must rebuild the relay-signed root).</summary>
internal static class BootstrapPackager
{
    private const int KeyEventScanPage = 1024;

    public static async Task<byte[]> CreateAsync(NodeOptions options, NodeLocks locks, LocalReplica replica, RelayWitness witness, AppendPipeline pipeline,
        INodeStore store, CancellationToken cancellationToken)
    {
        var checkpoint = BootstrapPublisher.Create(options, locks, replica, witness, pipeline);
        // The relay's note of exactly the prefix: the one this node witnessed when it pulled to it. A sync that moved on
        // in between leaves no note of the old prefix here.
        if (witness.Witnessed is not { } witnessed || witnessed.Checkpoint.Size != checkpoint.Prefix || witnessed.Checkpoint.Root != checkpoint.Root)
        {
            throw Error.InvalidOperation($"the relay checkpoint this node holds is not of the prefix of {checkpoint.Prefix} ops it folded (a sync moved on, or none was witnessed): sync and try again.");
        }

        var leaves = witness.Leaves(checkpoint.Prefix)
            ?? throw Error.InvalidOperation($"the node's witness holds fewer than the {checkpoint.Prefix} leaves of the prefix.");
        // Key events of every author of the state: the receiver resumes each chain from its tip with its keys there.
        List<(AuthorId Author, KeyState Keys, ulong Tip)> authors;
        lock (locks.Fold)
        {
            authors = replica.Verifiers.Values.Where(v => v.Keys is not null && v.Seq > 0).OrderBy(v => v.Author.Value, StringComparer.Ordinal)
                .Select(v => (v.Author, v.Keys!, v.Seq)).ToList();
        }

        // A node that was itself bootstrapped holds no op below its base: the key events it verified then are in the base.
        var based = new Dictionary<AuthorId, IReadOnlyList<ReadOnlyMemory<byte>>>();
        if (store is INodeBootstrapStore keeps && await keeps.LoadBootstrapBaseAsync(cancellationToken).ConfigureAwait(false) is { } baseBytes)
        {
            foreach (var (author, events) in BaseWire.Decode(baseBytes).Offer.KeyEvents) based[author] = events;
        }

        var keyEvents = new List<(AuthorId, IReadOnlyList<ReadOnlyMemory<byte>>)>(authors.Count);
        foreach (var (author, keys, tip) in authors)
        {
            keyEvents.Add((author, await KeyEventsAsync(options.Ledger, author, keys, tip, store, based.GetValueOrDefault(author) ?? [], cancellationToken).ConfigureAwait(false)));
        }

        var offer = new BootstrapOffer([checkpoint.ToBytes()], keyEvents);
        return BaseWire.Encode(offer, witnessed.Note, leaves);
    }

    // An author's key events are its inception (seq 1), each rotation (where a retired key went stale) and its last event:
    // read those few ops; only when they do not make a verifying key event log (a shape this guess misses) is the chain
    // scanned, a page at a time. Ops the store does not hold (below a bootstrap base) are skipped; the base's events fill
    // in. Nothing here is trusted by the receiver, which verifies each log itself.
    private static async Task<IReadOnlyList<ReadOnlyMemory<byte>>> KeyEventsAsync(string ledger, AuthorId author, KeyState keys, ulong tip, INodeStore store,
        IReadOnlyList<ReadOnlyMemory<byte>> fromBase, CancellationToken cancellationToken)
    {
        var candidates = new SortedSet<ulong> { 1, keys.LastEventSeq };
        foreach (var retired in keys.Retired)
        {
            candidates.Add(retired.StaleFromSeq);
            if (retired.StaleFromSeq > 1) candidates.Add(retired.StaleFromSeq - 1);
        }

        candidates.RemoveWhere(s => s == 0 || s > tip);
        var events = new SortedDictionary<ulong, (SignedOp Op, ReadOnlyMemory<byte> Bytes)>();
        foreach (var e in KeyEventsOf(fromBase)) events[e.Op.Op.Seq] = e;
        foreach (var e in KeyEventsOf(await HeldAsync(store, author, candidates, cancellationToken).ConfigureAwait(false))) events[e.Op.Op.Seq] = e;
        if (!KeyEventLog.TryVerify(ledger, author, events.Values.Select(e => e.Op).ToArray(), out _, out _))
        {
            for (ulong from = 1; from <= tip; from += KeyEventScanPage)
            {
                var page = Enumerable.Range(0, (int)Math.Min(KeyEventScanPage, tip - from + 1)).Select(i => from + (ulong)i).ToArray();
                foreach (var e in KeyEventsOf(await HeldAsync(store, author, page, cancellationToken).ConfigureAwait(false))) events[e.Op.Op.Seq] = e;
            }
        }

        return events.Values.Select(e => e.Bytes).ToArray();
    }

    // The ops of these seqs the store holds (a whole page at once; one at a time when one is missing).
    private static async Task<IReadOnlyList<ReadOnlyMemory<byte>>> HeldAsync(INodeStore store, AuthorId author, IEnumerable<ulong> seqs, CancellationToken cancellationToken)
    {
        var refs = seqs.Select(s => new OpRef(author, s)).ToArray();
        try
        {
            return await store.LoadAsync(refs, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            var held = new List<ReadOnlyMemory<byte>>();
            foreach (var r in refs)
            {
                try
                {
                    held.AddRange(await store.LoadAsync([r], cancellationToken).ConfigureAwait(false));
                }
                catch (KeyNotFoundException)
                {
                    // Below a bootstrap base: not held here.
                }
            }

            return held;
        }
    }

    private static List<(SignedOp Op, ReadOnlyMemory<byte> Bytes)> KeyEventsOf(IEnumerable<ReadOnlyMemory<byte>> ops)
    {
        var events = new List<(SignedOp, ReadOnlyMemory<byte>)>();
        foreach (var bytes in ops)
        {
            if (SignedOpCodec.TryDecode(bytes, out var op, out _) && KeyEvents.IsKeyEvent(op!.Op)) events.Add((op, bytes));
        }

        return events;
    }
}
