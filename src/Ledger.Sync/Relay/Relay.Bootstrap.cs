using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

// Bootstrap checkpoints (docs/sync.md, "Bootstrap of a new device"): the relay never folds, so it checks only what it
// can without folding — the envelope's form, its ledger and log, that the prefix is within the log, that the kernel
// checkpoint inside is one of that prefix with the signed digest, and that its signer is a member whose current key
// signed it — then keeps the latest per author and serves them with the key events of the authors they name.
public sealed partial class Relay
{
    private readonly SortedDictionary<string, (long Prefix, byte[] Envelope)> _bootstrapInMemory = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task PostBootstrapCheckpointAsync(ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default)
    {
        BootstrapCheckpoint posted;
        try
        {
            posted = BootstrapWire.Decode(envelope);
        }
        catch (LedgerFormatException e)
        {
            throw Error.BootstrapRefused(BootstrapRefusal.Malformed, e.Message);
        }

        if (posted.Ledger != Ledger) throw Error.BootstrapRefused(BootstrapRefusal.WrongLedger, $"it is of ledger '{posted.Ledger}', this relay orders '{Ledger}'.");
        if (posted.Origin != Origin) throw Error.BootstrapRefused(BootstrapRefusal.WrongLedger, $"it is of relay log '{posted.Origin}', this relay's is '{Origin}'.");
        await UnderGateAsync(async () =>
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (posted.Prefix > _store.Count) throw Error.BootstrapRefused(BootstrapRefusal.PrefixNotCovered, $"its prefix {posted.Prefix} is beyond the log ({_store.Count} ops).");
            if (posted.Prefix > 0 && (await TreeAsync(cancellationToken).ConfigureAwait(false)).Root(posted.Prefix) is var root && root != posted.Root)
            {
                throw Error.BootstrapRefused(BootstrapRefusal.PrefixNotCovered, $"it names root {posted.Root.ToShortString()} for prefix {posted.Prefix}; the log's is {root.ToShortString()}.");
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);

        var events = (await _store.ReadKeyEventsAsync(posted.Author, cancellationToken).ConfigureAwait(false)).Select(k => SignedOpCodec.Decode(k.Bytes)).ToArray();
        if (events.Length == 0) throw Error.BootstrapRefused(BootstrapRefusal.SignerNotMember, $"{posted.Author} has no chain in this relay's log.");
        if (!KeyEventLog.TryVerify(Ledger, posted.Author, events, out var timeline, out var problem))
        {
            throw Error.StoreDamaged("the relay store", $"the key events of {posted.Author}", $"they do not verify ({problem})");
        }

        var keys = timeline[^1].State;
        if (keys.Closed) throw Error.BootstrapRefused(BootstrapRefusal.SignerNotMember, $"{posted.Author} revoked its key at seq {keys.RevokedAtSeq}.");
        if (!posted.Verify(keys.Current)) throw Error.BootstrapRefused(BootstrapRefusal.BadSignature, $"the signature does not verify with {posted.Author}'s current key {keys.Current.Id}.");

        Checkpoint inner;
        try
        {
            inner = CheckpointCodec.Decode(posted.Checkpoint);
        }
        catch (LedgerFormatException e)
        {
            throw Error.BootstrapRefused(BootstrapRefusal.Malformed, "the kernel checkpoint inside: " + e.Message);
        }

        if (inner.Digest != posted.Digest) throw Error.BootstrapRefused(BootstrapRefusal.StateMismatch, $"the kernel checkpoint carries digest {inner.Digest.ToShortString()}, the envelope signs {posted.Digest.ToShortString()}.");
        if (inner.RelayFrontier != posted.Prefix || inner.RelayCut is not { } cut || cut.Size != posted.Prefix || cut.Origin != posted.Origin || cut.Root != posted.Root)
        {
            throw Error.BootstrapRefused(BootstrapRefusal.StateMismatch, $"the kernel checkpoint is not the cut of prefix {posted.Prefix} of '{posted.Origin}' (its relay frontier is {inner.RelayFrontier}).");
        }

        if (_store is IBootstrapCheckpointStore shelf)
        {
            await shelf.SaveBootstrapCheckpointAsync(posted.Author.Value, posted.Prefix, envelope, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            lock (_bootstrapInMemory)
            {
                if (!_bootstrapInMemory.TryGetValue(posted.Author.Value, out var held) || held.Prefix <= posted.Prefix)
                {
                    _bootstrapInMemory[posted.Author.Value] = (posted.Prefix, envelope.ToArray());
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<BootstrapOffer> GetBootstrapOfferAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<byte[]> envelopes;
        if (_store is IBootstrapCheckpointStore shelf) envelopes = await shelf.ReadBootstrapCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        else
        {
            lock (_bootstrapInMemory) envelopes = _bootstrapInMemory.Values.Select(v => v.Envelope).ToArray();
        }

        // The key events of every author the checkpoints name: a device checks the tail after the prefix with them.
        var authors = new SortedSet<string>(StringComparer.Ordinal);
        var kept = new List<ReadOnlyMemory<byte>>();
        foreach (var envelope in envelopes)
        {
            try
            {
                var posted = BootstrapWire.Decode(envelope);
                foreach (var tip in CheckpointCodec.Decode(posted.Checkpoint).Authors) authors.Add(tip.Author.Value);
                kept.Add(envelope);
            }
            catch (LedgerFormatException)
            {
                // Checked when posted: bytes that no longer decode were changed in the store; they are not served.
            }
        }

        var keyEvents = new List<(AuthorId, IReadOnlyList<ReadOnlyMemory<byte>>)>();
        foreach (var author in authors)
        {
            var id = new AuthorId(author);
            var events = await _store.ReadKeyEventsAsync(id, cancellationToken).ConfigureAwait(false);
            keyEvents.Add((id, events.Select(e => e.Bytes).ToArray()));
        }

        return new BootstrapOffer(kept, keyEvents);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetLeafHashesAsync(long from, int count, CancellationToken cancellationToken = default) =>
        GetTreeHashesAsync(0, from, count, cancellationToken);
}
