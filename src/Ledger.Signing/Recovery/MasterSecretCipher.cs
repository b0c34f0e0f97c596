using System.Security.Cryptography;
using System.Text;

namespace Ledger.Signing.Recovery;

/// <summary>The SLIP-0039 encryption of a master secret: a four-round Feistel network whose round
/// function is PBKDF2-HMAC-SHA256, keyed by the passphrase.</summary>
internal static class MasterSecretCipher
{
    private const int Rounds = 4;
    private const int BaseIterationsPerRound = 2500;
    private static readonly byte[] OriginalSaltPrefix = Encoding.ASCII.GetBytes(Rs1024.OriginalCustomization);

    public static byte[] Encrypt(ReadOnlySpan<byte> masterSecret, byte[] passphrase, int iterationExponent, int identifier, bool extendable) =>
        Run(masterSecret, passphrase, iterationExponent, identifier, extendable, encrypt: true);

    public static byte[] Decrypt(ReadOnlySpan<byte> encrypted, byte[] passphrase, int iterationExponent, int identifier, bool extendable) =>
        Run(encrypted, passphrase, iterationExponent, identifier, extendable, encrypt: false);

    private static byte[] Run(ReadOnlySpan<byte> input, byte[] passphrase, int iterationExponent, int identifier, bool extendable, bool encrypt)
    {
        var half = input.Length / 2;
        var left = input[..half].ToArray();
        var right = input[half..].ToArray();

        // The extendable format drops the identifier from the salt so that several share sets
        // (several identifiers) can carry the same encrypted master secret.
        byte[] saltPrefix = extendable
            ? []
            : [.. OriginalSaltPrefix, (byte)(identifier >> 8), (byte)identifier];
        var salt = new byte[saltPrefix.Length + half];
        saltPrefix.CopyTo(salt, 0);
        var password = new byte[1 + passphrase.Length];
        passphrase.CopyTo(password, 1);
        var iterations = BaseIterationsPerRound << iterationExponent;

        for (var step = 0; step < Rounds; step++)
        {
            password[0] = (byte)(encrypt ? step : Rounds - 1 - step);
            right.CopyTo(salt, saltPrefix.Length);
            var f = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, half);
            for (var i = 0; i < half; i++)
            {
                f[i] ^= left[i];
            }

            CryptographicOperations.ZeroMemory(left);
            left = right;
            right = f;
        }

        var output = new byte[input.Length];
        right.CopyTo(output, 0);
        left.CopyTo(output, half);
        CryptographicOperations.ZeroMemory(left);
        CryptographicOperations.ZeroMemory(right);
        CryptographicOperations.ZeroMemory(salt);
        CryptographicOperations.ZeroMemory(password);
        return output;
    }
}
