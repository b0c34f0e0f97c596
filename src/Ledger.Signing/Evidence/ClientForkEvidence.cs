using System.Globalization;
using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>Two different ops an author signed at the same seq: proof its key was used twice (a cloned or
/// restored device re-signing a seq that exists). The way out is a rotation by the next key, chained on
/// the op the relay accepted.</summary>
public sealed class ClientForkEvidence : Evidence
{
    /// <summary>Creates the evidence from the author's key events (inception first) and the two ops.</summary>
    public ClientForkEvidence(string ledger, IReadOnlyList<SignedOp> keyEvents, SignedOp first, SignedOp second) : base(ledger)
    {
        KeyEventsLog = keyEvents ?? throw Error.ArgumentNull(nameof(keyEvents));
        First = first ?? throw Error.ArgumentNull(nameof(first));
        Second = second ?? throw Error.ArgumentNull(nameof(second));
    }

    /// <inheritdoc />
    public override string Kind => "client-fork";

    /// <inheritdoc />
    public override string Accused => First.Op.Author.Value;

    /// <summary>The author's key events up to the fork.</summary>
    public IReadOnlyList<SignedOp> KeyEventsLog { get; }

    /// <summary>One op at the contested seq.</summary>
    public SignedOp First { get; }

    /// <summary>The other op at the contested seq.</summary>
    public SignedOp Second { get; }

    /// <summary>Builds evidence from an author's full chain (its key events are taken from it) and a conflicting op.</summary>
    public static ClientForkEvidence FromChain(string ledger, IEnumerable<SignedOp> chain, SignedOp conflicting)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(conflicting);
        var list = chain.ToList();
        var existing = list.Single(o => o.Op.Seq == conflicting.Op.Seq);
        var events = list.Where(o => KeyEvents.IsKeyEvent(o.Op) && o.Op.Seq < conflicting.Op.Seq).ToArray();
        return new ClientForkEvidence(ledger, events, existing, conflicting);
    }

    /// <inheritdoc />
    public override EvidenceVerdict Verify()
    {
        var a = First.Op;
        var b = Second.Op;
        if (First.Ledger != Ledger || Second.Ledger != Ledger) return EvidenceVerdict.Rejected("an op is signed for another ledger.");
        if (a.Author != b.Author || a.Seq != b.Seq) return EvidenceVerdict.Rejected("the two ops are not at the same (author, seq).");
        if (First.ChainHash == Second.ChainHash) return EvidenceVerdict.Rejected("the two ops are the same op.");
        if (!KeyEventLog.TryVerify(Ledger, a.Author, KeyEventsLog, out var timeline, out var problem)) return EvidenceVerdict.Rejected("key events: " + problem);
        if (timeline[^1].Seq >= a.Seq && a.Seq != 1) return EvidenceVerdict.Rejected("the key events must all precede the contested seq.");
        foreach (var op in new[] { First, Second })
        {
            var check = CheckAt(op, timeline);
            if (!check.IsOk) return EvidenceVerdict.Rejected($"{op.Ref} ({op.ChainHash.ToShortString()}): {check.Break}: {check.Detail}");
        }

        return EvidenceVerdict.Proven(string.Create(CultureInfo.InvariantCulture,
            $"author {a.Author} signed two different ops at seq {a.Seq} ({First.ChainHash.ToShortString()} and {Second.ChainHash.ToShortString()}), with keys {First.KeyId} and {Second.KeyId}."));
    }

    /// <summary>Verifies the evidence and, beyond what its bytes alone can show, that it hides none of the
    /// author's key events this verifier knows of before the contested seq.</summary>
    /// <remarks>Standalone verification proves both ops were signed by keys valid in <em>a</em> key history of the
    /// author. Evidence that leaves out a rotation could pin a fork made with a retired (perhaps leaked) key on the
    /// author; a verifier that holds the author's chain, or just its key events, should use this overload.</remarks>
    /// <param name="knownKeyEvents">The author's key events as this verifier has them (any order; other ops ignored).</param>
    public EvidenceVerdict VerifyAgainst(IEnumerable<SignedOp> knownKeyEvents)
    {
        ArgumentNullException.ThrowIfNull(knownKeyEvents);
        var verdict = Verify();
        if (!verdict.Valid) return verdict;
        var contested = First.Op.Seq;
        var carried = KeyEventsLog.ToDictionary(e => e.Op.Seq, e => e.ChainHash);
        foreach (var known in knownKeyEvents)
        {
            if (known.Op.Author != First.Op.Author || !KeyEvents.IsKeyEvent(known.Op) || known.Op.Seq >= contested) continue;
            if (!carried.TryGetValue(known.Op.Seq, out var hash))
            {
                return EvidenceVerdict.Rejected(string.Create(CultureInfo.InvariantCulture,
                    $"the evidence leaves out the key event {known.Ref} ({known.ChainHash.ToShortString()}) before the contested seq {contested}: the ops may be signed with a key the author had retired."));
            }

            if (hash != known.ChainHash)
            {
                return EvidenceVerdict.Rejected(string.Create(CultureInfo.InvariantCulture,
                    $"the evidence carries another key event at {known.Ref} ({hash.ToShortString()}) than the one known here ({known.ChainHash.ToShortString()})."));
            }
        }

        return verdict;
    }

    private ChainCheck CheckAt(SignedOp op, IReadOnlyList<(ulong Seq, KeyState State)> timeline)
    {
        if (op.Op.Seq == 1)
        {
            return new AuthorChainVerifier(Ledger, op.Op.Author).Check(op);
        }

        var before = KeyEventLog.StateBefore(timeline, op.Op.Seq)!;
        return AuthorChainVerifier.Resume(Ledger, op.Op.Author, op.Op.Seq - 1, op.Op.Prev, before).Check(op);
    }

    /// <inheritdoc />
    public override byte[] Encode() => EvidenceCodec.Encode(this);
}
