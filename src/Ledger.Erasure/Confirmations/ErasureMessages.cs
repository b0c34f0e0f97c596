using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Erasure;

/// <summary>The encoding pieces confirmations and certificates share: the erase-op triple and the
/// "signature over the encoded fields before it" rule of every Ledger signed message.</summary>
internal static class ErasureMessages
{
    public const int SignatureLength = 64;

    public static void WriteEraseOp(ref MessagePackWriter w, EraseOpRef erase)
    {
        w.WriteArrayHeader(3);
        w.Write(erase.Op.Author.Value);
        w.Write(erase.Op.Seq);
        w.Write(erase.ChainHash.ToArray());
    }

    public static EraseOpRef ReadEraseOp(ref WireReader r)
    {
        r.ReadArrayHeader("eraseOp", 3, 3);
        var authorAt = r.Offset;
        if (!AuthorId.TryCreate(r.ReadString("eraseOp.author", AuthorId.MaxLength), out var author))
        {
            throw r.Fail("eraseOp.author", FormatProblem.InvalidValue, authorAt, "not an author id.");
        }

        var seq = r.ReadUInt64("eraseOp.seq", 1);
        var hash = r.ReadHash("eraseOp.chainHash");
        return new EraseOpRef(new OpRef(author, seq), hash);
    }

    public static SubjectId ReadSubject(ref WireReader r)
    {
        var at = r.Offset;
        return SubjectId.TryParse(r.ReadString("subject", SubjectId.Length), out var subject)
            ? subject
            : throw r.Fail("subject", FormatProblem.InvalidValue, at, "not a subject pseudonym.");
    }

    /// <summary>Appends the signature field: the signed message is every byte after the array header.</summary>
    public static byte[] Sign(ArrayBufferWriter<byte> body, Ledger.Signing.SigningKey key, out int signatureOffset) =>
        Ledger.Signing.SignedArray.Sign(body, key, out signatureOffset);

    /// <summary>The array header of every structure here is one byte (fixarray), so the signed message starts at 1.</summary>
    public static bool Verify(ReadOnlySpan<byte> bytes, int signatureOffset, ReadOnlySpan<byte> rawPublicKey) =>
        Ledger.Signing.VerificationKey.TryImport(rawPublicKey, out var key) && Ledger.Signing.SignedArray.Verify(bytes, signatureOffset, key!);
}
