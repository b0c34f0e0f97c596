using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Ledger.Kernel;

namespace Ledger.Erasure;

/// <summary>The bytes of a sealed field (docs/wire-format.md, "Sealed field v1"): a clear header naming the
/// subject, the op and the field, then XChaCha20-Poly1305 ciphertext whose associated data is the whole
/// header. Reading the header needs no key, so the fold, provenance and certificates can see whose data an
/// op holds without being able to read it.</summary>
/// <remarks>
/// <code>
/// "ledger/sealed/v1" ‖ u8 s ‖ subject ‖ u8 a ‖ author ‖ u64be seq ‖ u8 f ‖ field ‖ u32be n ‖ nonce (24) ‖ ciphertext (n) ‖ tag (16)
/// </code>
/// The op is (author, seq): the author knows both before it builds the op, and the op's own hash cannot be
/// known while its args are being written.
/// </remarks>
public sealed class SealedEnvelope
{
    /// <summary>The label that starts every sealed field of this version.</summary>
    public const string Label = "ledger/sealed/v1";

    /// <summary>The XChaCha20-Poly1305 nonce length.</summary>
    public const int NonceLength = 24;

    /// <summary>The Poly1305 tag length.</summary>
    public const int TagLength = 16;

    /// <summary>The largest plaintext (the MessagePack of the value) a field may seal.</summary>
    public const int MaxPlaintextLength = 64 * 1024;

    /// <summary>The largest envelope.</summary>
    public const int MaxLength = 16 + 1 + SubjectId.Length + 1 + AuthorId.MaxLength + 8 + 1 + 64 + 4 + NonceLength + MaxPlaintextLength + TagLength;

    internal static readonly byte[] LabelBytes = Encoding.ASCII.GetBytes(Label);
    private static readonly byte[] FamilyBytes = Encoding.ASCII.GetBytes("ledger/sealed/");

    private SealedEnvelope(ReadOnlyMemory<byte> bytes, SubjectId subject, OpRef op, string field, int headerLength)
    {
        Bytes = bytes;
        Subject = subject;
        Op = op;
        Field = field;
        HeaderLength = headerLength;
    }

    /// <summary>The whole envelope.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Whose data it holds.</summary>
    public SubjectId Subject { get; }

    /// <summary>The op it was sealed for.</summary>
    public OpRef Op { get; }

    /// <summary>The field it was sealed for.</summary>
    public string Field { get; }

    /// <summary>The header length: the associated data is <c>Bytes[..HeaderLength]</c>, ending with the plaintext length and the nonce.</summary>
    public int HeaderLength { get; }

    /// <summary>The associated data: label, subject, op, field, plaintext length and nonce.</summary>
    public ReadOnlySpan<byte> AssociatedData => Bytes.Span[..HeaderLength];

    /// <summary>The nonce.</summary>
    public ReadOnlySpan<byte> Nonce => Bytes.Span[(HeaderLength - NonceLength)..HeaderLength];

    /// <summary>Ciphertext and tag.</summary>
    public ReadOnlySpan<byte> Ciphertext => Bytes.Span[HeaderLength..];

    /// <summary>True when the bytes start like a sealed field of any version (used to find sealed fields in args).</summary>
    public static bool LooksSealed(ReadOnlySpan<byte> bytes) => bytes.StartsWith(FamilyBytes);

    /// <summary>Reads the header. Never throws on bad bytes.</summary>
    /// <param name="bytes">The envelope.</param>
    /// <param name="envelope">The envelope, when it reads.</param>
    /// <param name="error">Why not, naming the op and field the envelope claims when the header got that far.</param>
    public static bool TryRead(ReadOnlyMemory<byte> bytes, [NotNullWhen(true)] out SealedEnvelope? envelope, [NotNullWhen(false)] out SealedFieldException? error)
    {
        envelope = Read(bytes, null, null, out error);
        return envelope is not null;
    }

    /// <summary>Reads the header and checks it names <paramref name="op"/> and <paramref name="field"/>.</summary>
    internal static SealedEnvelope? Read(ReadOnlyMemory<byte> bytes, OpRef? op, string? field, out SealedFieldException? error)
    {
        var s = bytes.Span;
        var name = field ?? "?";
        SealedEnvelope? Fail(SealedFieldProblem problem, string detail, out SealedFieldException e)
        {
            e = Error.SealedField(op, name, problem, detail);
            return null;
        }

        if (s.Length > MaxLength) return Fail(SealedFieldProblem.Oversized, $"{s.Length} bytes; a sealed field is at most {MaxLength}.", out error);
        if (s.Length < LabelBytes.Length)
        {
            return FamilyBytes.AsSpan().StartsWith(s) || s.StartsWith(FamilyBytes)
                ? Fail(SealedFieldProblem.Truncated, $"{s.Length} bytes end inside the label.", out error)
                : Fail(SealedFieldProblem.NotSealed, "the bytes do not start with 'ledger/sealed/'.", out error);
        }

        if (!s.StartsWith(LabelBytes))
        {
            return s.StartsWith(FamilyBytes)
                ? Fail(SealedFieldProblem.UnknownVersion, "another version of the sealed-field format.", out error)
                : Fail(SealedFieldProblem.NotSealed, "the bytes do not start with 'ledger/sealed/'.", out error);
        }

        var at = LabelBytes.Length;
        if (!TryReadText(s, ref at, SubjectId.Length, out var subjectText)) return Fail(SealedFieldProblem.Truncated, $"the envelope ends inside the subject (byte {at}).", out error);
        if (!SubjectId.TryParse(subjectText, out var subject)) return Fail(SealedFieldProblem.Malformed, "the subject is not a pseudonym.", out error);
        if (!TryReadText(s, ref at, AuthorId.MaxLength, out var authorText)) return Fail(SealedFieldProblem.Truncated, $"the envelope ends inside the author (byte {at}).", out error);
        if (!AuthorId.TryCreate(authorText, out var author)) return Fail(SealedFieldProblem.Malformed, "the author is not an author id.", out error);
        if (s.Length < at + 8) return Fail(SealedFieldProblem.Truncated, $"the envelope ends inside the seq (byte {at}).", out error);
        var seq = BinaryPrimitives.ReadUInt64BigEndian(s[at..]);
        at += 8;
        if (seq == 0) return Fail(SealedFieldProblem.Malformed, "seq 0 names no op.", out error);
        var sealedOp = new OpRef(author, seq);
        if (!TryReadText(s, ref at, 64, out var fieldText)) return Fail(SealedFieldProblem.Truncated, $"the envelope ends inside the field name (byte {at}).", out error);
        if (!Kernel.Op.IsValidVerbName(fieldText)) return Fail(SealedFieldProblem.Malformed, "the field name is not 1-64 characters of [a-z0-9._-].", out error);

        // From here on the envelope's own op and field name the error when the caller named none.
        op ??= sealedOp;
        name = field ?? fieldText;
        if (s.Length < at + 4) return Fail(SealedFieldProblem.Truncated, $"the envelope ends inside the length (byte {at}).", out error);
        var length = BinaryPrimitives.ReadUInt32BigEndian(s[at..]);
        at += 4;
        if (length > MaxPlaintextLength) return Fail(SealedFieldProblem.Oversized, $"a plaintext of {length} bytes; at most {MaxPlaintextLength}.", out error);
        var header = at + NonceLength;
        var total = header + (int)length + TagLength;
        if (s.Length < total) return Fail(SealedFieldProblem.Truncated, $"{s.Length} bytes; the header announces {total}.", out error);
        if (s.Length > total) return Fail(SealedFieldProblem.Malformed, $"{s.Length - total} bytes follow the tag.", out error);
        if (op.Value != sealedOp) return Fail(SealedFieldProblem.WrongOp, $"the envelope was sealed for op {sealedOp}.", out error);
        if (!string.Equals(name, fieldText, StringComparison.Ordinal)) return Fail(SealedFieldProblem.WrongField, $"the envelope was sealed for field '{fieldText}'.", out error);
        error = null;
        return new SealedEnvelope(bytes, subject, sealedOp, fieldText, header);
    }

    /// <summary>The header (the associated data) of a field about to be sealed.</summary>
    internal static byte[] Header(SubjectId subject, OpRef op, string field, int plaintextLength, ReadOnlySpan<byte> nonce)
    {
        var author = op.Author.Value;
        var header = new byte[LabelBytes.Length + 1 + subject.Value.Length + 1 + author.Length + 8 + 1 + field.Length + 4 + NonceLength];
        var at = 0;
        LabelBytes.CopyTo(header, at);
        at += LabelBytes.Length;
        at = WriteText(header, at, subject.Value);
        at = WriteText(header, at, author);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(at), op.Seq);
        at += 8;
        at = WriteText(header, at, field);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(at), (uint)plaintextLength);
        at += 4;
        nonce.CopyTo(header.AsSpan(at));
        return header;
    }

    private static int WriteText(byte[] buffer, int at, string ascii)
    {
        buffer[at++] = (byte)ascii.Length;
        return at + Encoding.ASCII.GetBytes(ascii, buffer.AsSpan(at));
    }

    private static bool TryReadText(ReadOnlySpan<byte> s, ref int at, int max, out string text)
    {
        text = "";
        if (s.Length < at + 1) return false;
        var n = s[at];
        if (n == 0 || n > max)
        {
            // Out of range: still consume it so the caller reports the field as malformed, not truncated.
            text = "\0";
            at += 1;
            return s.Length >= at + n;
        }

        if (s.Length < at + 1 + n) return false;
        foreach (var b in s.Slice(at + 1, n))
        {
            if (b is < 0x21 or > 0x7e)
            {
                text = "\0";
                at += 1 + n;
                return true;
            }
        }

        text = Encoding.ASCII.GetString(s.Slice(at + 1, n));
        at += 1 + n;
        return true;
    }
}
