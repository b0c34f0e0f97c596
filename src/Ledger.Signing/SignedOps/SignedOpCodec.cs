using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Signing;

/// <summary>Signs ops and decodes signed ops (docs/wire-format.md, "Signed op v1").</summary>
/// <remarks>A signed op is the MessagePack array [label "ledger/op/v1", ledger, op bytes, key id (bin 8),
/// signature (bin 64)]. The signature covers the encoded fields 0-3 exactly as they appear in the
/// bytes (everything between the array header and the signature field), so verification never
/// re-serializes. Its chain hash is SHA-256 of the whole array.</remarks>
public static class SignedOpCodec
{
    /// <summary>The label that starts every signed op: domain separation from every other signed message.</summary>
    public const string Label = "ledger/op/v1";

    /// <summary>The largest signed op accepted.</summary>
    public const int MaxBytes = Op.MaxArgsLength + 2048;

    /// <summary>Signs <paramref name="op"/> for <paramref name="ledger"/>.</summary>
    public static SignedOp Sign(Op op, string ledger, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(key);
        if (!LedgerName.IsValid(ledger)) throw Error.Argument("a ledger name is 1-128 characters of [A-Za-z0-9._:/-].", nameof(ledger));
        var opBytes = op.CanonicalBytes.Span;
        var buffer = t_scratch ?? new ArrayBufferWriter<byte>(1024);
        t_scratch = null;
        buffer.ResetWrittenCount();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(5);
        w.Write(Label);
        w.Write(ledger);
        w.Write(opBytes);
        w.WriteBinHeader(KeyId.Length);
        key.Id.Write(w.GetSpan(KeyId.Length));
        w.Advance(KeyId.Length);
        w.Flush();
        var bytes = SignedArray.Sign(buffer, key, out var signatureOffset);
        if (buffer.Capacity <= ScratchKeptBytes) t_scratch = buffer;
        return new SignedOp(bytes, ledger, op, key.Id, signatureOffset);
    }

    /// <summary>One encoding buffer per thread, reused: a device signs its ops one after another on one thread, and a
    /// fresh buffer per op was most of what signing allocated.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    /// <summary>Buffers that grew past this for one large op are not kept.</summary>
    private const int ScratchKeptBytes = 16 * 1024;

    /// <summary>Decodes a signed op. Does not verify the signature (that needs the author's key state).</summary>
    /// <exception cref="LedgerFormatException">Truncated, oversized, mistyped or non-canonical bytes.</exception>
    public static SignedOp Decode(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length > MaxBytes)
        {
            throw Error.Decode("signed op", "(whole)", FormatProblem.Oversized, 0, $"{bytes.Length} bytes; the limit is {MaxBytes}.");
        }

        var r = new WireReader(bytes, "signed op");
        r.ReadArrayHeader("signed op", 5, 5);
        var labelAt = r.Offset;
        var label = r.ReadString("label", 32);
        if (label != Label) throw r.Fail("label", FormatProblem.UnknownVersion, labelAt, $"'{label}' is not '{Label}'.");
        var ledgerAt = r.Offset;
        var ledger = r.ReadString("ledger", LedgerName.MaxLength);
        if (!LedgerName.IsValid(ledger)) throw r.Fail("ledger", FormatProblem.InvalidValue, ledgerAt, "not a ledger name.");
        var opAt = r.Offset;
        var opBytes = r.ReadBinary("op", 1, Op.MaxArgsLength + 1024);
        Op op;
        try
        {
            op = OpCodec.Decode(opBytes.ToArray());
        }
        catch (LedgerFormatException e)
        {
            throw Error.Decode("signed op", "op." + e.Field, e.Problem, opAt + e.Offset, e.Detail, inner: e);
        }

        var keyId = KeyId.Read(r.ReadBinary("keyId", KeyId.Length, KeyId.Length).Span);
        var signatureAt = (int)r.Offset;
        r.ReadBinary("signature", 64, 64);
        r.EnsureEnd();
        var copy = bytes.ToArray();
        var signed = new SignedOp(copy, ledger, op, keyId, signatureAt + 2);

        // Canonical form: only the shortest encodings, so the chain hash is a hash of values.
        var reencoded = new ArrayBufferWriter<byte>(copy.Length);
        var w = new MessagePackWriter(reencoded);
        w.WriteArrayHeader(5);
        w.Write(Label);
        w.Write(ledger);
        w.Write(op.CanonicalBytes.Span);
        var id = new byte[KeyId.Length];
        keyId.Write(id);
        w.Write(id);
        w.Write(signed.Signature);
        w.Flush();
        Canonical.RequireEqual("signed op", copy, reencoded.WrittenSpan, [("label", labelAt), ("ledger", ledgerAt), ("op", opAt), ("signature", signatureAt)]);
        return signed;
    }

    /// <summary>Decodes; false and the error on failure.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, out SignedOp? signed, out LedgerFormatException? error) =>
        LedgerFormatException.TryDecode(static b => Decode(b), bytes, out signed, out error);
}
