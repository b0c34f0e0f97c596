using System.Text;
using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>Names a public key in a signed op: the first 8 bytes of SHA-256("ledger/key-id/v1" ‖ raw public key).
/// Only a hint for finding the key; verification always uses the key the author's key state names.</summary>
public readonly record struct KeyId(ulong Value)
{
    /// <summary>Bytes on the wire.</summary>
    public const int Length = 8;

    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("ledger/key-id/v1");

    /// <summary>The id of a raw 32-byte Ed25519 public key.</summary>
    public static KeyId Of(ReadOnlySpan<byte> rawPublicKey)
    {
        Span<byte> input = stackalloc byte[Domain.Length + rawPublicKey.Length];
        Domain.CopyTo(input);
        rawPublicKey.CopyTo(input[Domain.Length..]);
        Span<byte> digest = stackalloc byte[Hash32.Length];
        Hash32.Sha256(input).CopyTo(digest);
        return new KeyId(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest));
    }

    /// <summary>Reads 8 big-endian bytes.</summary>
    public static KeyId Read(ReadOnlySpan<byte> bytes) => new(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes));

    /// <summary>Writes 8 big-endian bytes.</summary>
    public void Write(Span<byte> destination) => System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination, Value);

    /// <summary>16 lower-case hex digits.</summary>
    public override string ToString() => Value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
