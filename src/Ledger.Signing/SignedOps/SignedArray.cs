using System.Buffers;

namespace Ledger.Signing;

/// <summary>The one signing layout every signed Ledger structure shares (signed op, grant, node export, erasure
/// confirmation and certificate): a MessagePack array with a one-byte header whose last element is a bin 64
/// Ed25519 signature over every byte after the header, up to the signature's own bin header.</summary>
public static class SignedArray
{
    /// <summary>The signature length.</summary>
    public const int SignatureLength = 64;

    /// <summary>Appends the signature element to <paramref name="unsignedArray"/> (the array header and every
    /// element but the last) and returns the whole structure.</summary>
    /// <param name="unsignedArray">The encoded array so far.</param>
    /// <param name="key">The signing key.</param>
    /// <param name="signatureOffset">Where the 64 signature bytes start.</param>
    public static byte[] Sign(ReadOnlySpan<byte> unsignedArray, SigningKey key, out int signatureOffset)
    {
        ArgumentNullException.ThrowIfNull(key);
        var messageEnd = unsignedArray.Length;
        var bytes = new byte[messageEnd + 2 + SignatureLength];
        unsignedArray.CopyTo(bytes);
        bytes[messageEnd] = 0xc4;
        bytes[messageEnd + 1] = SignatureLength;
        key.Sign(bytes.AsSpan(1, messageEnd - 1), bytes.AsSpan(messageEnd + 2, SignatureLength));
        signatureOffset = messageEnd + 2;
        return bytes;
    }

    /// <summary>The structure with <paramref name="signature"/> as its last element, without signing: what a decoder
    /// compares the received bytes with to insist on the canonical encoding.</summary>
    public static byte[] Assemble(ReadOnlySpan<byte> unsignedArray, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength) throw Error.Argument($"an Ed25519 signature is {SignatureLength} bytes.", nameof(signature));
        var bytes = new byte[unsignedArray.Length + 2 + SignatureLength];
        unsignedArray.CopyTo(bytes);
        bytes[unsignedArray.Length] = 0xc4;
        bytes[unsignedArray.Length + 1] = SignatureLength;
        signature.CopyTo(bytes.AsSpan(unsignedArray.Length + 2));
        return bytes;
    }

    /// <summary>Appends the signature element to what <paramref name="body"/> holds.</summary>
    public static byte[] Sign(ArrayBufferWriter<byte> body, SigningKey key, out int signatureOffset)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Sign(body.WrittenSpan, key, out signatureOffset);
    }

    /// <summary>The signed message of a structure whose signature starts at <paramref name="signatureOffset"/>.</summary>
    public static ReadOnlySpan<byte> Message(ReadOnlySpan<byte> bytes, int signatureOffset) => bytes[1..(signatureOffset - 2)];

    /// <summary>True when the signature verifies under <paramref name="key"/>. Never throws on bad bytes.</summary>
    public static bool Verify(ReadOnlySpan<byte> bytes, int signatureOffset, VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return signatureOffset >= 3 && signatureOffset + SignatureLength == bytes.Length && key.Verify(Message(bytes, signatureOffset), bytes[signatureOffset..]);
    }
}
