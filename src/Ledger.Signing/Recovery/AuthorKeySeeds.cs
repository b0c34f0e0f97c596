using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Ledger.Kernel;

namespace Ledger.Signing.Recovery;

/// <summary>Derives an author's Ed25519 key seeds from its SLIP-0039 master secret, so that any key of
/// the author's chain can be rebuilt from the shares alone.</summary>
/// <remarks>seed(author, i) = HKDF-SHA256(ikm = master secret, salt = empty,
/// info = "ledger/key/v1" ‖ utf8(author) ‖ u32be(i)), 32 bytes. The author id is in the info so that one
/// master secret shared by mistake between two authors still gives them unrelated keys. The info is
/// unambiguous without a separator: the key index is the last four bytes.</remarks>
public static class AuthorKeySeeds
{
    /// <summary>The length of a seed: an Ed25519 private key seed.</summary>
    public const int SeedLength = 32;

    /// <summary>The domain-separation label at the start of the HKDF info.</summary>
    public const string Label = "ledger/key/v1";

    /// <summary>The seed of key <paramref name="keyIndex"/> of <paramref name="author"/>.</summary>
    /// <param name="masterSecret">The author's master secret, at least 16 bytes.</param>
    /// <param name="author">The author (not the default value).</param>
    /// <param name="keyIndex">The position of the key in the author's rotation sequence, from 0.</param>
    /// <returns>A new 32-byte array; the caller clears it when done.</returns>
    /// <exception cref="ArgumentException">The master secret is shorter than 16 bytes, or the author is the default value.</exception>
    public static byte[] Derive(ReadOnlySpan<byte> masterSecret, AuthorId author, uint keyIndex)
    {
        var seed = new byte[SeedLength];
        Derive(masterSecret, author, keyIndex, seed);
        return seed;
    }

    /// <summary>Writes the seed of key <paramref name="keyIndex"/> of <paramref name="author"/> into
    /// <paramref name="destination"/> (exactly 32 bytes).</summary>
    /// <inheritdoc cref="Derive(ReadOnlySpan{byte}, AuthorId, uint)"/>
    public static void Derive(ReadOnlySpan<byte> masterSecret, AuthorId author, uint keyIndex, Span<byte> destination)
    {
        if (masterSecret.Length < Slip39.MinSecretLength)
        {
            throw Error.Argument($"a master secret has at least {Slip39.MinSecretLength} bytes; got {masterSecret.Length}.", nameof(masterSecret));
        }

        if (author.IsDefault)
        {
            throw Error.Argument("the author is the default AuthorId, which names no author.", nameof(author));
        }

        if (destination.Length != SeedLength)
        {
            throw Error.Argument($"a seed is {SeedLength} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        var authorBytes = Encoding.UTF8.GetBytes(author.Value);
        Span<byte> info = stackalloc byte[Label.Length + authorBytes.Length + sizeof(uint)];
        Encoding.ASCII.GetBytes(Label, info);
        authorBytes.CopyTo(info[Label.Length..]);
        BinaryPrimitives.WriteUInt32BigEndian(info[^sizeof(uint)..], keyIndex);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterSecret, destination, salt: [], info);
    }
}
