using System.Globalization;
using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>Verifies one author's chain op by op: ledger, author, seq, prev, key state, signature. Used by
/// relays and nodes on every op they receive; <see cref="ChainVerifier"/> runs the same rules over a
/// whole chain with the signatures checked in parallel.</summary>
public sealed class AuthorChainVerifier
{
    /// <summary>A verifier for a chain that starts at seq 1.</summary>
    public AuthorChainVerifier(string ledger, AuthorId author)
    {
        if (!LedgerName.IsValid(ledger)) throw Error.Argument("not a ledger name.", nameof(ledger));
        Ledger = ledger;
        Author = author;
    }

    private AuthorChainVerifier(string ledger, AuthorId author, ulong seq, Hash32 tip, KeyState keys)
        : this(ledger, author)
    {
        Seq = seq;
        Tip = tip;
        Keys = keys;
    }

    /// <summary>The ledger.</summary>
    public string Ledger { get; }

    /// <summary>The author.</summary>
    public AuthorId Author { get; }

    /// <summary>The last verified seq (0 before the inception).</summary>
    public ulong Seq { get; private set; }

    /// <summary>The chain hash of the last verified op.</summary>
    public Hash32 Tip { get; private set; }

    /// <summary>The key state after the last verified op; null before the inception.</summary>
    public KeyState? Keys { get; private set; }

    /// <summary>Continues a chain verified before (a watermark, a checkpoint, a fetched tip).</summary>
    public static AuthorChainVerifier Resume(string ledger, AuthorId author, ulong seq, Hash32 tip, KeyState keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new AuthorChainVerifier(ledger, author, seq, tip, keys);
    }

    /// <summary>Checks <paramref name="op"/> as the next op and, when valid, advances.</summary>
    public ChainCheck Append(SignedOp op)
    {
        var check = CheckStructure(op, out var signer, out var next);
        if (!check.IsOk) return check;
        if (!op.VerifySignature(signer!))
        {
            return ChainCheck.Fail(ChainBreak.BadSignature, string.Create(CultureInfo.InvariantCulture, $"the signature does not verify under key {signer!.Id}."));
        }

        Advance(op, next!);
        return check;
    }

    /// <summary>Checks <paramref name="op"/> as the next op without advancing.</summary>
    public ChainCheck Check(SignedOp op)
    {
        var check = CheckStructure(op, out var signer, out _);
        if (!check.IsOk) return check;
        return op.VerifySignature(signer!)
            ? check
            : ChainCheck.Fail(ChainBreak.BadSignature, string.Create(CultureInfo.InvariantCulture, $"the signature does not verify under key {signer!.Id}."));
    }

    /// <summary>Advances over an op whose signature was verified before (by this process, when it was first
    /// received and stored), checking every rule but the signature. For rebuilding verifier state from a
    /// trusted local store without paying for signatures again; never for ops from the network.</summary>
    public ChainCheck AppendWithoutSignatureCheck(SignedOp op) => AppendOwn(op);

    /// <summary>Checks every rule but the signature and advances, returning the key that must have signed.
    /// For verifying many ops' signatures in parallel: the caller must verify each signature with
    /// <paramref name="signer"/> and discard this verifier (use a <see cref="Clone"/>) when one fails.</summary>
    public ChainCheck AppendDeferringSignatureCheck(SignedOp op, out VerificationKey? signer)
    {
        var check = CheckStructure(op, out signer, out var next);
        if (check.IsOk) Advance(op, next!);
        return check;
    }

    /// <summary>An independent copy at the same position (to try a batch and discard it on failure).</summary>
    public AuthorChainVerifier Clone() => Keys is null ? new AuthorChainVerifier(Ledger, Author) : Resume(Ledger, Author, Seq, Tip, Keys);

    /// <summary>Advances over an op this device signed itself (its signature is known good), checking
    /// everything but the signature. Used by <see cref="AuthorLog"/> so that signing stays cheap.</summary>
    internal ChainCheck AppendOwn(SignedOp op)
    {
        var check = CheckStructure(op, out _, out var next);
        if (check.IsOk) Advance(op, next!);
        return check;
    }

    internal void Advance(SignedOp op, KeyState next)
    {
        Seq = op.Op.Seq;
        Tip = op.ChainHash;
        Keys = next;
    }

    /// <summary>Every rule but the signature itself; returns the key that must have signed and the key state after the op.</summary>
    internal ChainCheck CheckStructure(SignedOp op, out VerificationKey? signer, out KeyState? next)
    {
        ArgumentNullException.ThrowIfNull(op);
        signer = null;
        next = Keys;
        var o = op.Op;
        if (!string.Equals(op.Ledger, Ledger, StringComparison.Ordinal))
            return ChainCheck.Fail(ChainBreak.WrongLedger, $"signed for ledger '{op.Ledger}', not '{Ledger}'.");
        if (o.Author != Author)
            return ChainCheck.Fail(ChainBreak.WrongAuthor, $"authored by {o.Author}, not {Author}.");
        if (o.Seq != Seq + 1)
            return ChainCheck.Fail(ChainBreak.Gap, string.Create(CultureInfo.InvariantCulture, $"seq {o.Seq} after seq {Seq}; send from seq {Seq + 1}."));
        if (o.Prev != Tip)
            return ChainCheck.Fail(ChainBreak.WrongPrev, $"prev {o.Prev.ToShortString()} does not name the previous op ({Tip.ToShortString()}).");

        if (Keys is null)
        {
            return CheckInception(op, out signer, out next);
        }

        if (Keys.Closed)
            return ChainCheck.Fail(ChainBreak.ChainClosed, string.Create(CultureInfo.InvariantCulture, $"the chain was closed by the revocation at seq {Keys.RevokedAtSeq}."));

        if (KeyEvents.IsKeyEvent(o))
        {
            return CheckKeyEvent(op, out signer, out next);
        }

        if (op.KeyId == Keys.Current.Id)
        {
            signer = Keys.Current;
            return ChainCheck.Ok;
        }

        if (Keys.FindRetired(op.KeyId) is { } retired)
        {
            return ChainCheck.Fail(ChainBreak.StaleKey, string.Create(CultureInfo.InvariantCulture,
                $"signed by key {op.KeyId}, which was {(retired.Revoked ? "revoked" : "rotated away")} at seq {retired.StaleFromSeq}."));
        }

        return ChainCheck.Fail(ChainBreak.WrongKey, $"signed by key {op.KeyId}, which this author never had (current key {Keys.Current.Id}).");
    }

    private ChainCheck CheckInception(SignedOp op, out VerificationKey? signer, out KeyState? next)
    {
        signer = null;
        next = null;
        var o = op.Op;
        if (!KeyEvents.IsKeyEvent(o) || o.Verb != KeyEvents.InceptVerb.Name || o.VerbVersion != KeyEvents.InceptVerb.Version)
            return ChainCheck.Fail(ChainBreak.BadInception, "the first op of a chain must be ledger.key.incept.");
        InceptArgs args;
        try
        {
            // Strict: exactly the documented array, canonical, nothing after it. Nil args (c0) once decoded to
            // null here and threw NullReferenceException out of every verifier.
            args = KeyEventArgsCodec.DecodeIncept(o.Args);
        }
        catch (LedgerFormatException e)
        {
            return ChainCheck.Fail(ChainBreak.BadKeyEvent, "the inception args do not decode: " + e.Message);
        }

        if (!VerificationKey.TryImport(args.PublicKey, out var key))
            return ChainCheck.Fail(ChainBreak.BadKeyEvent, "the inception names no valid Ed25519 key.");
        if (!AuthorIdentity.IsValidLabel(args.Label) || AuthorIdentity.Derive(args.Label, key!, new Hash32(args.NextKeyDigest)) != Author)
            return ChainCheck.Fail(ChainBreak.BadInception, $"the inception does not certify author id {Author} (label, key and next-key digest derive another id).");
        if (o.Branch != new BranchId(Author, KeyEvents.BranchName))
            return ChainCheck.Fail(ChainBreak.BadKeyEvent, $"key events belong on branch {Author}/{KeyEvents.BranchName}.");
        if (op.KeyId != key!.Id)
            return ChainCheck.Fail(ChainBreak.WrongKey, $"the inception must be signed by its own key {key.Id}, not {op.KeyId}.");

        signer = key;
        next = new KeyState(key, new Hash32(args.NextKeyDigest), args.KeyIndex, [], null, null, o.Seq);
        return ChainCheck.Ok;
    }

    private ChainCheck CheckKeyEvent(SignedOp op, out VerificationKey? signer, out KeyState? next)
    {
        signer = null;
        next = Keys;
        var o = op.Op;
        var keys = Keys!;
        if (o.Branch != new BranchId(Author, KeyEvents.BranchName))
            return ChainCheck.Fail(ChainBreak.BadKeyEvent, $"key events belong on branch {Author}/{KeyEvents.BranchName}.");

        byte[] revealedRaw;
        byte[]? nextDigest;
        uint index;
        ulong? disputed = null;
        var revoke = false;
        try
        {
            switch (o.Verb)
            {
                case "ledger.key.rotate" when o.VerbVersion == 1:
                    var rotate = KeyEventArgsCodec.DecodeRotate(o.Args);
                    (revealedRaw, nextDigest, index) = (rotate.PublicKey, rotate.NextKeyDigest, rotate.KeyIndex);
                    break;
                case "ledger.key.revoke" when o.VerbVersion == 1:
                    var r = KeyEventArgsCodec.DecodeRevoke(o.Args);
                    (revealedRaw, nextDigest, index, disputed, revoke) = (r.PublicKey, r.NextKeyDigest, r.KeyIndex, r.DisputedSinceSeq, true);
                    break;
                default:
                    return ChainCheck.Fail(ChainBreak.BadKeyEvent, $"{o.Verb}@{o.VerbVersion} is not a key event that may follow the inception.");
            }
        }
        catch (LedgerFormatException e)
        {
            return ChainCheck.Fail(ChainBreak.BadKeyEvent, "the key event args do not decode: " + e.Message);
        }

        if (!VerificationKey.TryImport(revealedRaw, out var revealed))
            return ChainCheck.Fail(ChainBreak.BadKeyEvent, "the key event names no valid Ed25519 key.");

        if (revealed!.Digest != keys.NextDigest)
        {
            return op.KeyId == keys.Current.Id
                ? ChainCheck.Fail(ChainBreak.RotationByCurrentKey, $"{o.Verb} is signed by the current key {keys.Current.Id}; only the pre-committed next key may rotate or revoke.")
                : ChainCheck.Fail(ChainBreak.NotPreCommitted, $"{o.Verb} reveals key {revealed.Id}, which is not the key committed to at seq {keys.LastEventSeq}.");
        }

        if (op.KeyId != revealed.Id)
        {
            return op.KeyId == keys.Current.Id
                ? ChainCheck.Fail(ChainBreak.RotationByCurrentKey, $"{o.Verb} is signed by the current key {keys.Current.Id}; it must be signed by the revealed next key {revealed.Id}.")
                : ChainCheck.Fail(ChainBreak.WrongKey, $"{o.Verb} must be signed by the revealed key {revealed.Id}, not {op.KeyId}.");
        }

        // Key i derives from the recovery secret as seed(author, i): a rotation or revocation reveals the key
        // after the current one, so its index is the current index + 1 (a recovering device counts on it).
        if (keys.KeyIndex == uint.MaxValue || index != keys.KeyIndex + 1)
        {
            return ChainCheck.Fail(ChainBreak.BadKeyEvent, string.Create(CultureInfo.InvariantCulture,
                $"{o.Verb} names key index {index}; the current key's index is {keys.KeyIndex}, so the next must be {(keys.KeyIndex == uint.MaxValue ? "beyond 2^32-1" : (keys.KeyIndex + 1).ToString(CultureInfo.InvariantCulture))}."));
        }

        signer = revealed;
        next = keys.After(revealed, nextDigest is null ? null : new Hash32(nextDigest), index, o.Seq, revoke, disputed);
        return ChainCheck.Ok;
    }
}
