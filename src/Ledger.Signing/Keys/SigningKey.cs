using NSec.Cryptography;

namespace Ledger.Signing;

/// <summary>An Ed25519 private key held by a device (an NSec <see cref="Key"/>: never a loose byte array).</summary>
public sealed class SigningKey : IDisposable
{
    private readonly Key _key;

    private SigningKey(Key key)
    {
        _key = key;
        Public = VerificationKey.From(key.PublicKey);
    }

    /// <summary>The public half.</summary>
    public VerificationKey Public { get; }

    /// <summary>The key id of the public half.</summary>
    public KeyId Id => Public.Id;

    /// <summary>A fresh random key (for tests and devices without a recovery secret).</summary>
    public static SigningKey Generate() => new(Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None }));

    /// <summary>The key whose 32-byte seed is <paramref name="seed"/> (see <c>AuthorKeySeeds</c> for how seeds derive from a recovery secret).</summary>
    public static SigningKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32) throw Error.Argument("an Ed25519 seed is 32 bytes.", nameof(seed));
        return new SigningKey(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None }));
    }

    /// <summary>Signs <paramref name="message"/> into <paramref name="signature"/> (64 bytes).</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature) => SignatureAlgorithm.Ed25519.Sign(_key, message, signature);

    /// <summary>Signs <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => SignatureAlgorithm.Ed25519.Sign(_key, message);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
