using System.Security.Cryptography;
using NSec.Cryptography;

namespace Ledger.Erasure;

/// <summary>A replica's X25519 key pair for receiving subject keys: other replicas wrap each subject key to its
/// public half (<see cref="WrappedSubjectKey"/>). The private half stays on the device, in an NSec <see cref="Key"/>.</summary>
public sealed class ReplicaKeyPair : IDisposable
{
    private readonly Key _key;

    private ReplicaKeyPair(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The 32-byte X25519 public key others wrap to.</summary>
    public ReadOnlyMemory<byte> PublicKey { get; }

    internal Key Key => _key;

    /// <summary>A fresh key pair from <paramref name="random"/> (default: the system generator).</summary>
    public static ReplicaKeyPair Generate(RandomNumberGenerator? random = null)
    {
        Span<byte> seed = stackalloc byte[32];
        try
        {
            if (random is null) RandomNumberGenerator.Fill(seed);
            else random.GetBytes(seed);
            return FromPrivateKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The key pair whose raw X25519 private key is <paramref name="privateKey"/> (32 bytes).</summary>
    public static ReplicaKeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32) throw Error.Argument("an X25519 private key is 32 bytes.", nameof(privateKey));
        return new ReplicaKeyPair(Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey));
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
