using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using Ledger.Signing;
using MessagePack;

namespace Ledger.Erasure;

/// <summary>A replica's signed statement that it has applied an erase op and holds no key for the subject
/// (docs/wire-format.md, "Erasure confirmation v1"):
/// <c>["ledger/erasure-confirmation/v1", ledger, subject, [author, seq, chainHash], replica, outcome, at, replicaKey (bin 32), signature (bin 64)]</c>.
/// The signature (Ed25519, by the replica's device key) covers the encoded fields before it, as they appear.</summary>
public sealed class ErasureConfirmation
{
    /// <summary>The label that starts every confirmation: domain separation from every other signed message.</summary>
    public const string Label = "ledger/erasure-confirmation/v1";

    private ErasureConfirmation(byte[] bytes, string ledger, SubjectId subject, EraseOpRef eraseOp, AuthorId replica, ConfirmationOutcome outcome, long at, byte[] replicaKey, int signatureOffset)
    {
        Bytes = bytes;
        Ledger = ledger;
        Subject = subject;
        EraseOp = eraseOp;
        Replica = replica;
        Outcome = outcome;
        At = at;
        ReplicaKey = replicaKey;
        SignatureOffset = signatureOffset;
    }

    /// <summary>The signed bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The ledger.</summary>
    public string Ledger { get; }

    /// <summary>The erased subject.</summary>
    public SubjectId Subject { get; }

    /// <summary>The erase op the replica applied.</summary>
    public EraseOpRef EraseOp { get; }

    /// <summary>The confirming replica (its device's author id).</summary>
    public AuthorId Replica { get; }

    /// <summary>Shredded or absent.</summary>
    public ConfirmationOutcome Outcome { get; }

    /// <summary>When the replica shredded (its clock, Unix milliseconds; informational).</summary>
    public long At { get; }

    /// <summary>The raw Ed25519 public key that signed (anchor it to the replica's key state to trust it).</summary>
    public ReadOnlyMemory<byte> ReplicaKey { get; }

    private int SignatureOffset { get; }

    /// <summary>Signs a confirmation.</summary>
    public static ErasureConfirmation Sign(string ledger, SubjectId subject, EraseOpRef eraseOp, AuthorId replica, ConfirmationOutcome outcome, long at, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!LedgerName.IsValid(ledger)) throw Error.Argument("not a ledger name.", nameof(ledger));
        if (subject.IsDefault) throw Error.Argument("default(SubjectId) names no subject.", nameof(subject));
        if (replica.IsDefault) throw Error.Argument("default(AuthorId) names no replica.", nameof(replica));
        if (outcome is not (ConfirmationOutcome.Shredded or ConfirmationOutcome.Absent)) throw Error.OutOfRange(nameof(outcome));
        var body = Body(ledger, subject, eraseOp, replica, outcome, at, key.Public.RawBytes);
        var bytes = ErasureMessages.Sign(body, key, out var signatureOffset);
        return new ErasureConfirmation(bytes, ledger, subject, eraseOp, replica, outcome, at, key.Public.RawBytes.ToArray(), signatureOffset);
    }

    /// <summary>Decodes a confirmation; does not verify it (<see cref="VerifySignature"/> does).</summary>
    /// <exception cref="LedgerFormatException">Malformed, truncated or non-canonical bytes.</exception>
    public static ErasureConfirmation Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "erasure confirmation");
        r.ReadArrayHeader("confirmation", 9, 9);
        var labelAt = r.Offset;
        var label = r.ReadString("label", 64);
        if (label != Label) throw r.Fail("label", FormatProblem.UnknownVersion, labelAt, $"not '{Label}'.");
        var ledgerAt = r.Offset;
        var ledger = r.ReadString("ledger", LedgerName.MaxLength);
        if (!LedgerName.IsValid(ledger)) throw r.Fail("ledger", FormatProblem.InvalidValue, ledgerAt, "not a ledger name.");
        var subject = ErasureMessages.ReadSubject(ref r);
        var eraseOp = ErasureMessages.ReadEraseOp(ref r);
        var replicaAt = r.Offset;
        if (!AuthorId.TryCreate(r.ReadString("replica", AuthorId.MaxLength), out var replica)) throw r.Fail("replica", FormatProblem.InvalidValue, replicaAt, "not a replica id.");
        var outcomeAt = r.Offset;
        var outcome = r.ReadString("outcome", 16) switch
        {
            "shredded" => ConfirmationOutcome.Shredded,
            "absent" => ConfirmationOutcome.Absent,
            _ => throw r.Fail("outcome", FormatProblem.InvalidValue, outcomeAt, "an outcome is 'shredded' or 'absent'."),
        };
        var at = r.ReadInt64("at");
        var key = r.ReadBinary("replicaKey", 32, 32).ToArray();
        var signatureAt = (int)r.Offset;
        // The signature is taken as read, whatever its header's form: a longer header (bin 16 or 32) is a second
        // encoding of the same value, refused below as non-canonical rather than mis-sliced.
        var signature = r.ReadBinary("signature", ErasureMessages.SignatureLength, ErasureMessages.SignatureLength);
        r.EnsureEnd();
        var body = Body(ledger, subject, eraseOp, replica, outcome, at, key);
        var canonical = SignedArray.Assemble(body.WrittenSpan, signature.Span);
        Canonical.RequireEqual("erasure confirmation", bytes.Span, canonical, [("confirmation", 0), ("signature", signatureAt)]);
        return new ErasureConfirmation(bytes.ToArray(), ledger, subject, eraseOp, replica, outcome, at, key, signatureAt + 2);
    }

    /// <summary>Decodes; false and the error on failure.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, [NotNullWhen(true)] out ErasureConfirmation? confirmation, [NotNullWhen(false)] out LedgerFormatException? error) =>
        LedgerFormatException.TryDecode(static b => Decode(b), bytes, out confirmation, out error);

    /// <summary>True when the signature verifies under <see cref="ReplicaKey"/>. Never throws.</summary>
    public bool VerifySignature() => ErasureMessages.Verify(Bytes.Span, SignatureOffset, ReplicaKey.Span);

    /// <inheritdoc />
    public override string ToString() => $"{Replica} {Outcome.ToString().ToLowerInvariant()} {Subject} for {EraseOp}";

    private static ArrayBufferWriter<byte> Body(string ledger, SubjectId subject, EraseOpRef eraseOp, AuthorId replica, ConfirmationOutcome outcome, long at, ReadOnlySpan<byte> key)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(9);
        w.Write(Label);
        w.Write(ledger);
        w.Write(subject.Value);
        ErasureMessages.WriteEraseOp(ref w, eraseOp);
        w.Write(replica.Value);
        w.Write(outcome == ConfirmationOutcome.Shredded ? "shredded" : "absent");
        w.Write(at);
        w.Write(key);
        w.Flush();
        return buffer;
    }
}
