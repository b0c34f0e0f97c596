using System.Globalization;
using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>An op signed by a key the author had already rotated away or revoked: a sign the old key is in
/// someone else's hands. Self-contained: the key events prove when the key was retired, the op's valid
/// signature proves the retired key signed it.</summary>
public sealed class StaleKeyEvidence : Evidence
{
    /// <summary>Creates the evidence.</summary>
    public StaleKeyEvidence(string ledger, IReadOnlyList<SignedOp> keyEvents, SignedOp op) : base(ledger)
    {
        KeyEventsLog = keyEvents ?? throw Error.ArgumentNull(nameof(keyEvents));
        Op = op ?? throw Error.ArgumentNull(nameof(op));
    }

    /// <inheritdoc />
    public override string Kind => "stale-key";

    /// <inheritdoc />
    public override string Accused => Op.Op.Author.Value;

    /// <summary>The author's key events up to the op.</summary>
    public IReadOnlyList<SignedOp> KeyEventsLog { get; }

    /// <summary>The op signed with a retired key.</summary>
    public SignedOp Op { get; }

    /// <inheritdoc />
    public override EvidenceVerdict Verify()
    {
        if (Op.Ledger != Ledger) return EvidenceVerdict.Rejected("the op is signed for another ledger.");
        if (!KeyEventLog.TryVerify(Ledger, Op.Op.Author, KeyEventsLog, out var timeline, out var problem)) return EvidenceVerdict.Rejected("key events: " + problem);
        var before = KeyEventLog.StateBefore(timeline, Op.Op.Seq);
        if (before is null) return EvidenceVerdict.Rejected("no key event precedes the op.");
        var retired = before.FindRetired(Op.KeyId);
        if (retired is null || retired.StaleFromSeq > Op.Op.Seq) return EvidenceVerdict.Rejected($"key {Op.KeyId} was not retired before seq {Op.Op.Seq}.");
        if (!Op.VerifySignature(retired.Key)) return EvidenceVerdict.Rejected("the op's signature does not verify under the retired key.");
        return EvidenceVerdict.Proven(string.Create(CultureInfo.InvariantCulture,
            $"author {Op.Op.Author}'s key {Op.KeyId}, {(retired.Revoked ? "revoked" : "rotated away")} at seq {retired.StaleFromSeq}, signed op {Op.Op.Seq}."));
    }

    /// <inheritdoc />
    public override byte[] Encode() => EvidenceCodec.Encode(this);
}
