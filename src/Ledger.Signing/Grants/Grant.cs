using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Signing;

/// <summary>How a grant may travel.</summary>
public enum GrantKind
{
    /// <summary>Whoever holds it may redeem it, on any device: forwardable by design.</summary>
    Bearer = 1,

    /// <summary>Value-bearing: bound to the first device that opens it; opened anywhere else it fails.</summary>
    Bound = 2,
}

/// <summary>A signed grant (a voucher, an offer, a prepaid credit) issued by an author (docs/wire-format.md,
/// "Grant v1"): ["ledger/grant/v1", ledger, grant id, issuer, issuer key (bin 32), kind, value, single use,
/// signature (bin 64)]. The signature covers the encoded fields before it; it is verified again inside
/// the redeem verb (Ed25519 verification is deterministic), so a forged grant is refused on every replica.</summary>
public sealed class Grant
{
    /// <summary>The label that starts every grant.</summary>
    public const string Label = "ledger/grant/v1";

    private Grant(byte[] bytes, string ledger, string id, AuthorId issuer, byte[] issuerKey, GrantKind kind, long value, bool singleUse, int signatureOffset)
    {
        Bytes = bytes;
        Ledger = ledger;
        Id = id;
        Issuer = issuer;
        IssuerKey = issuerKey;
        Kind = kind;
        Value = value;
        SingleUse = singleUse;
        SignatureOffset = signatureOffset;
    }

    /// <summary>The signed bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The ledger the grant is valid in.</summary>
    public string Ledger { get; }

    /// <summary>The grant id (a claim key suffix: 1-120 characters of [A-Za-z0-9._:/-]).</summary>
    public string Id { get; }

    /// <summary>Who issued it.</summary>
    public AuthorId Issuer { get; }

    /// <summary>The issuer's key that signed (its validity for the issuer is checked against the issuer's key state by whoever trusts the issuer).</summary>
    public ReadOnlyMemory<byte> IssuerKey { get; }

    /// <summary>Bearer or bound.</summary>
    public GrantKind Kind { get; }

    /// <summary>The value it carries (cents, credits …).</summary>
    public long Value { get; }

    /// <summary>True when it may be redeemed once in total.</summary>
    public bool SingleUse { get; }

    /// <summary>The claim key redemptions use: <c>grant:</c> and 32 lowercase hex digits of
    /// SHA-256("ledger/grant-claim/v1" ‖ 0x00 ‖ ledger ‖ 0x00 ‖ issuer ‖ 0x00 ‖ issuer key ‖ id). Redemptions are
    /// Claim ops, so the relay order decides who opened first and which redemption came second.</summary>
    /// <remarks>The key is bound to the issuer's key, not only to the id: otherwise anyone could sign a grant of
    /// their own with a victim's id, redeem it first and make every honest redemption lose the claim.</remarks>
    public string ClaimKey => _claimKey ??= ClaimKeyOf(Ledger, Issuer, IssuerKey.Span, Id);

    private string? _claimKey;

    private static string ClaimKeyOf(string ledger, AuthorId issuer, ReadOnlySpan<byte> issuerKey, string id)
    {
        var text = System.Text.Encoding.UTF8;
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write("ledger/grant-claim/v1\0"u8);
        buffer.Write(text.GetBytes(ledger));
        buffer.Write<byte>([0]);
        buffer.Write(text.GetBytes(issuer.Value));
        buffer.Write<byte>([0]);
        buffer.Write(issuerKey);
        buffer.Write(text.GetBytes(id));
        return "grant:" + Convert.ToHexStringLower(Hash32.Sha256(buffer.WrittenSpan).ToArray().AsSpan(0, 16));
    }

    private int SignatureOffset { get; }

    /// <summary>Issues and signs a grant.</summary>
    public static Grant Issue(string ledger, string id, AuthorId issuer, SigningKey issuerKey, GrantKind kind, long value, bool singleUse)
    {
        ArgumentNullException.ThrowIfNull(issuerKey);
        if (!LedgerName.IsValid(ledger)) throw Error.Argument("not a ledger name.", nameof(ledger));
        if (!Kernel.Op.IsValidClaimKey("grant:" + id)) throw Error.Argument("a grant id is 1-120 characters of [A-Za-z0-9._:/-].", nameof(id));
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(9);
        w.Write(Label);
        w.Write(ledger);
        w.Write(id);
        w.Write(issuer.Value);
        w.Write(issuerKey.Public.RawBytes);
        w.Write(kind == GrantKind.Bearer ? "bearer" : "bound");
        w.Write(value);
        w.Write(singleUse);
        w.Flush();
        var bytes = SignedArray.Sign(buffer, issuerKey, out var signatureOffset);
        return new Grant(bytes, ledger, id, issuer, issuerKey.Public.RawBytes.ToArray(), kind, value, singleUse, signatureOffset);
    }

    /// <summary>Decodes a grant; does not verify it (<see cref="VerifySignature"/> does).</summary>
    /// <exception cref="LedgerFormatException">Malformed bytes.</exception>
    public static Grant Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "grant");
        r.ReadArrayHeader("grant", 9, 9);
        var labelAt = r.Offset;
        if (r.ReadString("label", 32) != Label) throw r.Fail("label", FormatProblem.UnknownVersion, labelAt, $"not '{Label}'.");
        var ledgerAt = r.Offset;
        var ledger = r.ReadString("ledger", LedgerName.MaxLength);
        if (!LedgerName.IsValid(ledger)) throw r.Fail("ledger", FormatProblem.InvalidValue, ledgerAt, "not a ledger name.");
        var idAt = r.Offset;
        var id = r.ReadString("id", 120);
        if (!Kernel.Op.IsValidClaimKey("grant:" + id)) throw r.Fail("id", FormatProblem.InvalidValue, idAt, "not a grant id.");
        var issuerAt = r.Offset;
        if (!AuthorId.TryCreate(r.ReadString("issuer", AuthorId.MaxLength), out var issuer)) throw r.Fail("issuer", FormatProblem.InvalidValue, issuerAt, "not an author id.");
        var key = r.ReadBinary("issuerKey", 32, 32).ToArray();
        var kindAt = r.Offset;
        var kind = r.ReadString("kind", 8) switch
        {
            "bearer" => GrantKind.Bearer,
            "bound" => GrantKind.Bound,
            _ => throw r.Fail("kind", FormatProblem.InvalidValue, kindAt, "a grant is 'bearer' or 'bound'."),
        };
        var value = r.ReadInt64("value");
        var singleUse = r.ReadBoolean("singleUse");
        var signatureAt = (int)r.Offset;
        r.ReadBinary("signature", 64, 64);
        r.EnsureEnd();
        var grant = new Grant(bytes.ToArray(), ledger, id, issuer, key, kind, value, singleUse, signatureAt + 2);
        var canonical = Issue(grant);
        Canonical.RequireEqual("grant", bytes.Span, canonical, [("grant", 0)]);
        return grant;
    }

    /// <summary>True when the grant's signature verifies under the issuer key it names.</summary>
    public bool VerifySignature() =>
        VerificationKey.TryImport(IssuerKey.Span, out var key) && SignedArray.Verify(Bytes.Span, SignatureOffset, key!);

    private static byte[] Issue(Grant g)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(9);
        w.Write(Label);
        w.Write(g.Ledger);
        w.Write(g.Id);
        w.Write(g.Issuer.Value);
        w.Write(g.IssuerKey.Span);
        w.Write(g.Kind == GrantKind.Bearer ? "bearer" : "bound");
        w.Write(g.Value);
        w.Write(g.SingleUse);
        w.Write(g.Bytes.Span[g.SignatureOffset..]);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
