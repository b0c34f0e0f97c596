using System.Security.Cryptography;

namespace Ledger.Erasure;

/// <summary>Subject keys: 32 random bytes, one per subject, used as XChaCha20-Poly1305 keys.</summary>
public static class SubjectKey
{
    /// <summary>The key length.</summary>
    public const int Length = 32;

    /// <summary>A fresh key from <paramref name="random"/> (default: the system generator).</summary>
    public static byte[] Generate(RandomNumberGenerator? random = null)
    {
        var key = new byte[Length];
        if (random is null) RandomNumberGenerator.Fill(key);
        else random.GetBytes(key);
        return key;
    }

    internal static void RequireLength(ReadOnlySpan<byte> key, string parameter)
    {
        if (key.Length != Length) throw Error.Argument($"a subject key is {Length} bytes.", parameter);
    }
}
