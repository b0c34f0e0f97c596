using System.Text;
using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>Self-certifying author ids: <c>label.suffix</c>, where the suffix commits to the inception key
/// and the first next-key digest. Nobody can incept a second chain under an existing author id, so
/// evidence against an author can only be made from the author's own keys.</summary>
/// <remarks>suffix = base32 (RFC 4648, lower case, no padding) of the first 16 bytes of
/// SHA-256("ledger/author/v1" ‖ u8(len(label)) ‖ label ‖ inception public key ‖ next-key digest).</remarks>
public static class AuthorIdentity
{
    /// <summary>The longest label: 64 − 1 ('.') − 26 (suffix).</summary>
    public const int MaxLabelLength = 37;

    private const int SuffixLength = 26;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("ledger/author/v1");

    /// <summary>True for labels of 1-37 characters of [A-Za-z0-9_-] (no '.', which separates the suffix).</summary>
    public static bool IsValidLabel(string? label)
    {
        if (label is null || label.Length is 0 or > MaxLabelLength) return false;
        foreach (var c in label)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-')) return false;
        }

        return true;
    }

    /// <summary>The author id committed to by an inception.</summary>
    public static AuthorId Derive(string label, VerificationKey inceptionKey, Hash32 nextKeyDigest)
    {
        ArgumentNullException.ThrowIfNull(inceptionKey);
        if (!IsValidLabel(label)) throw Error.Argument($"an author label is 1-{MaxLabelLength} characters of [A-Za-z0-9_-].", nameof(label));
        var input = new byte[Domain.Length + 1 + label.Length + 32 + Hash32.Length];
        Domain.CopyTo(input, 0);
        var at = Domain.Length;
        input[at++] = (byte)label.Length;
        at += Encoding.ASCII.GetBytes(label, input.AsSpan(at));
        inceptionKey.RawBytes.CopyTo(input.AsSpan(at));
        at += 32;
        nextKeyDigest.CopyTo(input.AsSpan(at));
        Span<byte> digest = stackalloc byte[Hash32.Length];
        Hash32.Sha256(input).CopyTo(digest);
        return new AuthorId(label + "." + Base32(digest[..16]));
    }

    /// <summary>The label of a self-certifying author id, or null when the id has no suffix.</summary>
    public static string? LabelOf(AuthorId author)
    {
        var text = author.Value;
        var dot = text.LastIndexOf('.');
        return dot > 0 && text.Length - dot - 1 == SuffixLength ? text[..dot] : null;
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(SuffixLength);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0) sb.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }
}
