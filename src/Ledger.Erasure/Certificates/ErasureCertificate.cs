using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using Ledger.Signing;
using MessagePack;

namespace Ledger.Erasure;

/// <summary>A signed certificate of erasure (docs/wire-format.md, "Certificate of erasure v1"): which subject, by
/// which erase op, which replicas confirmed (their signed confirmations, embedded), which replicas known to hold
/// the key have not confirmed yet, and what remains — ciphertext only, at the listed op fields. Anyone can check
/// it with <see cref="ErasureCertificateVerifier"/>.</summary>
/// <remarks><c>["ledger/erasure-certificate/v1", ledger, subject, [author, seq, chainHash], issuedAt,
/// remains: [[author, seq, field] …], confirmations: [bin …], pending: [replica …], issuer, issuerKey (bin 32),
/// signature (bin 64)]</c>, lists in canonical order; signed by the issuer over the fields before the signature.</remarks>
public sealed class ErasureCertificate
{
    /// <summary>The label that starts every certificate.</summary>
    public const string Label = "ledger/erasure-certificate/v1";

    /// <summary>The most confirmations, pending replicas or remaining fields a certificate lists.</summary>
    public const int MaxEntries = 65_536;

    private ErasureCertificate(byte[] bytes, string ledger, SubjectId subject, EraseOpRef eraseOp, long issuedAt, CiphertextLocation[] remains,
        ErasureConfirmation[] confirmations, AuthorId[] pending, AuthorId issuer, byte[] issuerKey, int signatureOffset)
    {
        Bytes = bytes;
        Ledger = ledger;
        Subject = subject;
        EraseOp = eraseOp;
        IssuedAt = issuedAt;
        Remains = remains;
        Confirmations = confirmations;
        Pending = pending;
        Issuer = issuer;
        IssuerKey = issuerKey;
        SignatureOffset = signatureOffset;
        Id = Convert.ToHexStringLower(Hash32.Sha256(bytes).ToArray().AsSpan(0, 8));
    }

    /// <summary>The signed bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The certificate id: 16 hex digits, the first 8 bytes of SHA-256 of <see cref="Bytes"/>.</summary>
    public string Id { get; }

    /// <summary>The ledger.</summary>
    public string Ledger { get; }

    /// <summary>The erased subject.</summary>
    public SubjectId Subject { get; }

    /// <summary>The erase op.</summary>
    public EraseOpRef EraseOp { get; }

    /// <summary>When the issuer signed (Unix milliseconds).</summary>
    public long IssuedAt { get; }

    /// <summary>What remains: the sealed fields of the subject in the log, ciphertext only.</summary>
    public IReadOnlyList<CiphertextLocation> Remains { get; }

    /// <summary>The replicas' signed confirmations, by replica id.</summary>
    public IReadOnlyList<ErasureConfirmation> Confirmations { get; }

    /// <summary>The replicas that confirmed, in order.</summary>
    public IReadOnlyList<AuthorId> ConfirmedReplicas => Confirmations.Select(c => c.Replica).ToArray();

    /// <summary>Replicas known to hold the key that had not confirmed when the certificate was signed.</summary>
    public IReadOnlyList<AuthorId> Pending { get; }

    /// <summary>True when no replica known to hold the key is pending.</summary>
    public bool Complete => Pending.Count == 0;

    /// <summary>Who issued the certificate.</summary>
    public AuthorId Issuer { get; }

    /// <summary>The issuer's raw Ed25519 public key.</summary>
    public ReadOnlyMemory<byte> IssuerKey { get; }

    private int SignatureOffset { get; }

    /// <summary>Issues and signs a certificate. Lists are put in canonical order.</summary>
    /// <exception cref="ArgumentException">A confirmation that does not verify or is for another ledger, subject or
    /// erase op; a replica twice; a replica both confirmed and pending.</exception>
    public static ErasureCertificate Issue(string ledger, SubjectId subject, EraseOpRef eraseOp, long issuedAt, IEnumerable<CiphertextLocation> remains,
        IEnumerable<ErasureConfirmation> confirmations, IEnumerable<AuthorId> pending, AuthorId issuer, SigningKey issuerKey)
    {
        ArgumentNullException.ThrowIfNull(issuerKey);
        if (!LedgerName.IsValid(ledger)) throw Error.Argument("not a ledger name.", nameof(ledger));
        if (subject.IsDefault) throw Error.Argument("default(SubjectId) names no subject.", nameof(subject));
        if (issuer.IsDefault) throw Error.Argument("default(AuthorId) names no issuer.", nameof(issuer));
        var remainList = remains.Distinct().Order().ToArray();
        foreach (var place in remainList)
        {
            if (!Kernel.Op.IsValidVerbName(place.Field)) throw Error.Argument($"'{place.Field}' is not a field name.", nameof(remains));
        }

        var confirmationList = confirmations.OrderBy(c => c.Replica.Value, StringComparer.Ordinal).ToArray();
        for (var i = 0; i < confirmationList.Length; i++)
        {
            var c = confirmationList[i];
            if (c.Ledger != ledger || c.Subject != subject || c.EraseOp != eraseOp) throw Error.Argument($"the confirmation of {c.Replica} is for another ledger, subject or erase op.", nameof(confirmations));
            if (!c.VerifySignature()) throw Error.Argument($"the confirmation of {c.Replica} does not verify.", nameof(confirmations));
            if (i > 0 && confirmationList[i - 1].Replica == c.Replica) throw Error.Argument($"{c.Replica} confirmed twice.", nameof(confirmations));
        }

        var pendingList = pending.Distinct().OrderBy(p => p.Value, StringComparer.Ordinal).ToArray();
        if (pendingList.FirstOrDefault(p => confirmationList.Any(c => c.Replica == p)) is { IsDefault: false } both)
        {
            throw Error.Argument($"{both} is listed as confirmed and as pending.", nameof(pending));
        }

        if (remainList.Length > MaxEntries || confirmationList.Length > MaxEntries || pendingList.Length > MaxEntries) throw Error.Argument($"a certificate lists at most {MaxEntries} entries per list.");
        var body = Body(ledger, subject, eraseOp, issuedAt, remainList, confirmationList, pendingList, issuer, issuerKey.Public.RawBytes);
        var bytes = ErasureMessages.Sign(body, issuerKey, out var signatureOffset);
        return new ErasureCertificate(bytes, ledger, subject, eraseOp, issuedAt, remainList, confirmationList, pendingList, issuer, issuerKey.Public.RawBytes.ToArray(), signatureOffset);
    }

    /// <summary>Decodes a certificate (and the confirmations inside it); verifies nothing
    /// (<see cref="ErasureCertificateVerifier"/> does).</summary>
    /// <exception cref="LedgerFormatException">Malformed, truncated or non-canonical bytes.</exception>
    public static ErasureCertificate Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "erasure certificate");
        r.ReadArrayHeader("certificate", 11, 11);
        var labelAt = r.Offset;
        var label = r.ReadString("label", 64);
        if (label != Label) throw r.Fail("label", FormatProblem.UnknownVersion, labelAt, $"not '{Label}'.");
        var ledgerAt = r.Offset;
        var ledger = r.ReadString("ledger", LedgerName.MaxLength);
        if (!LedgerName.IsValid(ledger)) throw r.Fail("ledger", FormatProblem.InvalidValue, ledgerAt, "not a ledger name.");
        var subject = ErasureMessages.ReadSubject(ref r);
        var eraseOp = ErasureMessages.ReadEraseOp(ref r);
        var issuedAt = r.ReadInt64("issuedAt");

        var remains = new CiphertextLocation[r.ReadArrayHeader("remains", 0, MaxEntries)];
        for (var i = 0; i < remains.Length; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"remains[{i}]");
            r.ReadArrayHeader(name, 3, 3);
            var authorAt = r.Offset;
            if (!AuthorId.TryCreate(r.ReadString(name + ".author", AuthorId.MaxLength), out var author)) throw r.Fail(name + ".author", FormatProblem.InvalidValue, authorAt, "not an author id.");
            var seq = r.ReadUInt64(name + ".seq", 1);
            var fieldAt = r.Offset;
            var field = r.ReadString(name + ".field", 64);
            if (!Kernel.Op.IsValidVerbName(field)) throw r.Fail(name + ".field", FormatProblem.InvalidValue, fieldAt, "not a field name.");
            remains[i] = new CiphertextLocation(new OpRef(author, seq), field);
        }

        var confirmations = new ErasureConfirmation[r.ReadArrayHeader("confirmations", 0, MaxEntries)];
        for (var i = 0; i < confirmations.Length; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"confirmations[{i}]");
            var at = r.Offset;
            var inner = r.ReadBinary(name, 1, 4096);
            try
            {
                confirmations[i] = ErasureConfirmation.Decode(inner.ToArray());
            }
            catch (LedgerFormatException e)
            {
                throw Error.Decode("erasure certificate", name + "." + e.Field, e.Problem, at + e.Offset, e.Detail, inner: e);
            }
        }

        var pending = new AuthorId[r.ReadArrayHeader("pending", 0, MaxEntries)];
        for (var i = 0; i < pending.Length; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"pending[{i}]");
            var at = r.Offset;
            if (!AuthorId.TryCreate(r.ReadString(name, AuthorId.MaxLength), out pending[i])) throw r.Fail(name, FormatProblem.InvalidValue, at, "not a replica id.");
        }

        var issuerAt = r.Offset;
        if (!AuthorId.TryCreate(r.ReadString("issuer", AuthorId.MaxLength), out var issuer)) throw r.Fail("issuer", FormatProblem.InvalidValue, issuerAt, "not an author id.");
        var issuerKey = r.ReadBinary("issuerKey", 32, 32).ToArray();
        var signatureAt = (int)r.Offset;
        // The signature is taken as read, whatever its header's form: a longer header (bin 16 or 32) is a second
        // encoding of the same value, refused below as non-canonical rather than mis-sliced.
        var signature = r.ReadBinary("signature", ErasureMessages.SignatureLength, ErasureMessages.SignatureLength);
        r.EnsureEnd();

        var body = Body(ledger, subject, eraseOp, issuedAt, remains, confirmations, pending, issuer, issuerKey);
        var canonical = SignedArray.Assemble(body.WrittenSpan, signature.Span);
        Canonical.RequireEqual("erasure certificate", bytes.Span, canonical, [("certificate", 0), ("signature", signatureAt)]);
        return new ErasureCertificate(bytes.ToArray(), ledger, subject, eraseOp, issuedAt, remains, confirmations, pending, issuer, issuerKey, signatureAt + 2);
    }

    /// <summary>Decodes; false and the error on failure.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, [NotNullWhen(true)] out ErasureCertificate? certificate, [NotNullWhen(false)] out LedgerFormatException? error) =>
        LedgerFormatException.TryDecode(static b => Decode(b), bytes, out certificate, out error);

    /// <summary>True when the issuer's signature verifies under <see cref="IssuerKey"/>. Never throws.</summary>
    public bool VerifySignature() => ErasureMessages.Verify(Bytes.Span, SignatureOffset, IssuerKey.Span);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"certificate {Id}: {Subject} erased by {EraseOp}; confirmed by {string.Join(", ", ConfirmedReplicas)}; pending {Pending.Count}; {Remains.Count} field(s) remain as ciphertext only");

    private static ArrayBufferWriter<byte> Body(string ledger, SubjectId subject, EraseOpRef eraseOp, long issuedAt, CiphertextLocation[] remains,
        ErasureConfirmation[] confirmations, AuthorId[] pending, AuthorId issuer, ReadOnlySpan<byte> issuerKey)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(11);
        w.Write(Label);
        w.Write(ledger);
        w.Write(subject.Value);
        ErasureMessages.WriteEraseOp(ref w, eraseOp);
        w.Write(issuedAt);
        w.WriteArrayHeader(remains.Length);
        foreach (var place in remains)
        {
            w.WriteArrayHeader(3);
            w.Write(place.Op.Author.Value);
            w.Write(place.Op.Seq);
            w.Write(place.Field);
        }

        w.WriteArrayHeader(confirmations.Length);
        foreach (var c in confirmations) w.Write(c.Bytes.Span);
        w.WriteArrayHeader(pending.Length);
        foreach (var p in pending) w.Write(p.Value);
        w.Write(issuer.Value);
        w.Write(issuerKey);
        w.Flush();
        return buffer;
    }
}
