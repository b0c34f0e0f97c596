using System.Security.Cryptography;

namespace Ledger.Signing.Recovery;

/// <summary>One level of SLIP-0039 Shamir sharing: the secret sits at x = 255 and a digest of it at
/// x = 254, so a wrong set of shares is caught when combined (SplitSecret / RecoverSecret of the spec).</summary>
internal static class SecretSharing
{
    public const byte SecretIndex = 255;
    public const byte DigestIndex = 254;
    public const int DigestLength = 4;

    /// <summary>Shares 0 … <paramref name="count"/> − 1 of <paramref name="secret"/>, any
    /// <paramref name="threshold"/> of which rebuild it. The caller has checked 1 ≤ threshold ≤ count ≤ 16.</summary>
    public static List<(byte X, byte[] Y)> Split(int threshold, int count, byte[] secret, RandomNumberGenerator random)
    {
        var shares = new List<(byte X, byte[] Y)>(count);
        if (threshold == 1)
        {
            for (var i = 0; i < count; i++)
            {
                shares.Add(((byte)i, (byte[])secret.Clone()));
            }

            return shares;
        }

        var randomPart = new byte[secret.Length - DigestLength];
        random.GetBytes(randomPart);
        var digestShare = new byte[secret.Length];
        Digest(randomPart, secret).CopyTo(digestShare, 0);
        randomPart.CopyTo(digestShare, DigestLength);

        var basePoints = new List<(byte X, byte[] Y)>(threshold);
        for (var i = 0; i < threshold - 2; i++)
        {
            var y = new byte[secret.Length];
            random.GetBytes(y);
            shares.Add(((byte)i, y));
            basePoints.Add(((byte)i, y));
        }

        basePoints.Add((DigestIndex, digestShare));
        basePoints.Add((SecretIndex, secret));
        for (var i = threshold - 2; i < count; i++)
        {
            shares.Add(((byte)i, Gf256.Interpolate(basePoints, (byte)i)));
        }

        CryptographicOperations.ZeroMemory(digestShare);
        CryptographicOperations.ZeroMemory(randomPart);
        return shares;
    }

    /// <summary>The secret behind exactly <paramref name="threshold"/> shares with distinct x, or null
    /// when their digest does not match (a share was altered or comes from elsewhere).</summary>
    public static byte[]? Recover(int threshold, IReadOnlyList<(byte X, byte[] Y)> shares)
    {
        if (threshold == 1)
        {
            return (byte[])shares[0].Y.Clone();
        }

        var secret = Gf256.Interpolate(shares, SecretIndex);
        var digestShare = Gf256.Interpolate(shares, DigestIndex);
        var expected = Digest(digestShare.AsSpan(DigestLength), secret);
        var ok = CryptographicOperations.FixedTimeEquals(expected, digestShare.AsSpan(0, DigestLength));
        CryptographicOperations.ZeroMemory(digestShare);
        if (ok)
        {
            return secret;
        }

        CryptographicOperations.ZeroMemory(secret);
        return null;
    }

    private static byte[] Digest(ReadOnlySpan<byte> randomPart, ReadOnlySpan<byte> secret) =>
        HMACSHA256.HashData(randomPart, secret)[..DigestLength];
}
