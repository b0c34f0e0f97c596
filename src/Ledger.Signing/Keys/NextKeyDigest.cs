using System.Text;
using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>The digest a key event commits to for the next key (pre-rotation): a thief holding the
/// current key cannot rotate or revoke, because only the holder of the committed next key can.</summary>
public static class NextKeyDigest
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("ledger/next-key/v1");

    /// <summary>SHA-256("ledger/next-key/v1" ‖ raw public key).</summary>
    public static Hash32 Of(ReadOnlySpan<byte> rawPublicKey)
    {
        Span<byte> input = stackalloc byte[Domain.Length + rawPublicKey.Length];
        Domain.CopyTo(input);
        rawPublicKey.CopyTo(input[Domain.Length..]);
        return Hash32.Sha256(input);
    }
}
