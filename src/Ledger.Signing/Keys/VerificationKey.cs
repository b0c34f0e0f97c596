using Ledger.Kernel;
using NSec.Cryptography;

namespace Ledger.Signing;

/// <summary>An Ed25519 public key with its <see cref="KeyId"/> and its commitment digest.</summary>
public sealed class VerificationKey : IEquatable<VerificationKey>
{
    private readonly byte[] _raw;

    private VerificationKey(PublicKey key, byte[] raw)
    {
        Key = key;
        _raw = raw;
        Id = KeyId.Of(raw);
        Digest = NextKeyDigest.Of(raw);
    }

    /// <summary>The NSec key object.</summary>
    public PublicKey Key { get; }

    /// <summary>The key id.</summary>
    public KeyId Id { get; }

    /// <summary>SHA-256("ledger/next-key/v1" ‖ raw key): what an earlier key event commits to.</summary>
    public Hash32 Digest { get; }

    /// <summary>The 32 raw bytes.</summary>
    public ReadOnlySpan<byte> RawBytes => _raw;

    /// <summary>Imports 32 raw bytes; false when they are not an Ed25519 public key NSec accepts.</summary>
    public static bool TryImport(ReadOnlySpan<byte> raw, out VerificationKey? key)
    {
        key = null;
        if (raw.Length != 32 || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out var imported) || imported is null)
        {
            return false;
        }

        key = new VerificationKey(imported, raw.ToArray());
        return true;
    }

    /// <summary>Imports 32 raw bytes.</summary>
    /// <exception cref="ArgumentException">Not an Ed25519 public key.</exception>
    public static VerificationKey Import(ReadOnlySpan<byte> raw) =>
        TryImport(raw, out var key) ? key! : throw Error.Argument("not a 32-byte Ed25519 public key.", nameof(raw));

    internal static VerificationKey From(PublicKey key) => new(key, key.Export(KeyBlobFormat.RawPublicKey));

    /// <summary>Verifies an Ed25519 signature. Returns false for any invalid signature; never throws on bad input.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureAlgorithm.Ed25519.SignatureSize && SignatureAlgorithm.Ed25519.Verify(Key, message, signature);

    /// <inheritdoc />
    public bool Equals(VerificationKey? other) => other is not null && _raw.AsSpan().SequenceEqual(other._raw);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as VerificationKey);

    /// <inheritdoc />
    public override int GetHashCode() => Id.GetHashCode();

    /// <summary>The key id.</summary>
    public override string ToString() => Id.ToString();
}
