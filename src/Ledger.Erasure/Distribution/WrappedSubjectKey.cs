using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Ledger.Kernel;
using NSec.Cryptography;

namespace Ledger.Erasure;

/// <summary>A subject key wrapped for one replica, for distribution between replicas (docs/wire-format.md,
/// "Wrapped subject key v1"). Subject keys never enter the log; they travel only like this, each copy readable
/// by the one replica it names.</summary>
/// <remarks>
/// <code>
/// "ledger/wrapped-key/v1" ‖ u8 s ‖ subject ‖ u8 r ‖ recipient ‖ recipient X25519 public key (32)
///   ‖ ephemeral X25519 public key (32) ‖ nonce (24) ‖ XChaCha20-Poly1305(subject key) (32) ‖ tag (16)
/// </code>
/// wrapping key = HKDF-SHA256(ikm = X25519(ephemeral, recipient), salt = ephemeral public ‖ recipient public,
/// info = "ledger/wrapped-key/v1", 32 bytes); associated data = every byte before the ciphertext. The sender
/// is anonymous (a fresh ephemeral key per wrap): transports authenticate senders, and a store never replaces
/// a key it holds, so a forged wrap can at most give a replica a useless key for a subject it lacked.
/// </remarks>
public sealed class WrappedSubjectKey
{
    /// <summary>The label that starts every wrapped key of this version.</summary>
    public const string Label = "ledger/wrapped-key/v1";

    private const int KeyLength = 32;
    private const int NonceLength = 24;
    private const int TagLength = 16;
    private static readonly byte[] LabelBytes = Encoding.ASCII.GetBytes(Label);

    private WrappedSubjectKey(byte[] bytes, SubjectId subject, AuthorId recipient, int headerLength)
    {
        Bytes = bytes;
        Subject = subject;
        Recipient = recipient;
        HeaderLength = headerLength;
    }

    /// <summary>The bytes to send.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Whose key it is.</summary>
    public SubjectId Subject { get; }

    /// <summary>The replica that can unwrap it.</summary>
    public AuthorId Recipient { get; }

    private int HeaderLength { get; }

    private ReadOnlySpan<byte> RecipientKey => Bytes.Span.Slice(HeaderLength - NonceLength - KeyLength - KeyLength, KeyLength);

    private ReadOnlySpan<byte> EphemeralKey => Bytes.Span.Slice(HeaderLength - NonceLength - KeyLength, KeyLength);

    private ReadOnlySpan<byte> Nonce => Bytes.Span.Slice(HeaderLength - NonceLength, NonceLength);

    /// <summary>Wraps <paramref name="subjectKey"/> for <paramref name="recipient"/>, whose X25519 public key is <paramref name="recipientPublicKey"/>.</summary>
    /// <param name="subject">The subject.</param>
    /// <param name="subjectKey">The 32-byte subject key.</param>
    /// <param name="recipient">The receiving replica's id.</param>
    /// <param name="recipientPublicKey">Its X25519 public key (<see cref="ReplicaKeyPair.PublicKey"/>).</param>
    /// <param name="random">Source of the ephemeral key and nonce (default: the system generator).</param>
    public static WrappedSubjectKey Wrap(SubjectId subject, ReadOnlySpan<byte> subjectKey, AuthorId recipient, ReadOnlySpan<byte> recipientPublicKey, RandomNumberGenerator? random = null)
    {
        if (subject.IsDefault) throw Error.Argument("default(SubjectId) names no subject.", nameof(subject));
        if (recipient.IsDefault) throw Error.Argument("default(AuthorId) names no replica.", nameof(recipient));
        SubjectKey.RequireLength(subjectKey, nameof(subjectKey));
        if (recipientPublicKey.Length != KeyLength || !PublicKey.TryImport(KeyAgreementAlgorithm.X25519, recipientPublicKey, KeyBlobFormat.RawPublicKey, out var recipientKey) || recipientKey is null)
        {
            throw Error.Argument("not a 32-byte X25519 public key.", nameof(recipientPublicKey));
        }

        Span<byte> secret = stackalloc byte[KeyLength + NonceLength];
        try
        {
            if (random is null) RandomNumberGenerator.Fill(secret);
            else random.GetBytes(secret);
            using var ephemeral = Key.Import(KeyAgreementAlgorithm.X25519, secret[..KeyLength], KeyBlobFormat.RawPrivateKey);
            var ephemeralPublic = ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            var header = new byte[LabelBytes.Length + 1 + subject.Value.Length + 1 + recipient.Value.Length + KeyLength + KeyLength + NonceLength];
            var at = 0;
            LabelBytes.CopyTo(header, at);
            at += LabelBytes.Length;
            at = WriteText(header, at, subject.Value);
            at = WriteText(header, at, recipient.Value);
            recipientPublicKey.CopyTo(header.AsSpan(at));
            at += KeyLength;
            ephemeralPublic.CopyTo(header, at);
            at += KeyLength;
            secret[KeyLength..].CopyTo(header.AsSpan(at));
            var bytes = new byte[header.Length + KeyLength + TagLength];
            header.CopyTo(bytes, 0);
            using var wrapping = DeriveWrappingKey(ephemeral, recipientKey, ephemeralPublic, recipientPublicKey)
                ?? throw Error.Argument("the X25519 public key is of small order.", nameof(recipientPublicKey));
            AeadAlgorithm.XChaCha20Poly1305.Encrypt(wrapping, header.AsSpan(header.Length - NonceLength), header, subjectKey, bytes.AsSpan(header.Length));
            return new WrappedSubjectKey(bytes, subject, recipient, header.Length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Reads the header. Never throws on bad bytes.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> bytes, [NotNullWhen(true)] out WrappedSubjectKey? wrapped, [NotNullWhen(false)] out KeyWrapException? error)
    {
        wrapped = null;
        var s = bytes.Span;
        if (s.Length < LabelBytes.Length)
        {
            error = Error.KeyWrap(LabelBytes.AsSpan().StartsWith(s) ? KeyWrapProblem.Truncated : KeyWrapProblem.UnknownVersion, "the bytes end inside the label.");
            return false;
        }

        if (!s.StartsWith(LabelBytes))
        {
            error = Error.KeyWrap(KeyWrapProblem.UnknownVersion, $"the bytes do not start with '{Label}'.");
            return false;
        }

        var at = LabelBytes.Length;
        if (!TryReadText(s, ref at, SubjectId.Length, out var subjectText))
        {
            error = Error.KeyWrap(KeyWrapProblem.Truncated, "the bytes end inside the subject.");
            return false;
        }

        if (!SubjectId.TryParse(subjectText, out var subject))
        {
            error = Error.KeyWrap(KeyWrapProblem.Malformed, "the subject is not a pseudonym.");
            return false;
        }

        if (!TryReadText(s, ref at, AuthorId.MaxLength, out var recipientText))
        {
            error = Error.KeyWrap(KeyWrapProblem.Truncated, "the bytes end inside the recipient.", subject);
            return false;
        }

        if (!AuthorId.TryCreate(recipientText, out var recipient))
        {
            error = Error.KeyWrap(KeyWrapProblem.Malformed, "the recipient is not a replica id.", subject);
            return false;
        }

        var header = at + KeyLength + KeyLength + NonceLength;
        if (s.Length < header + KeyLength + TagLength)
        {
            error = Error.KeyWrap(KeyWrapProblem.Truncated, $"{s.Length} bytes end before the wrapped key and its tag.", subject);
            return false;
        }

        if (s.Length > header + KeyLength + TagLength)
        {
            error = Error.KeyWrap(KeyWrapProblem.Malformed, $"{s.Length - header - KeyLength - TagLength} bytes follow the tag.", subject);
            return false;
        }

        wrapped = new WrappedSubjectKey(bytes.ToArray(), subject, recipient, header);
        error = null;
        return true;
    }

    /// <summary>Unwraps the subject key into <paramref name="subjectKey"/> (32 bytes) with the recipient's key pair.
    /// Never throws on bad bytes: false and the error.</summary>
    public bool TryUnwrap(AuthorId self, ReplicaKeyPair keyPair, Span<byte> subjectKey, [NotNullWhen(false)] out KeyWrapException? error)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        SubjectKey.RequireLength(subjectKey, nameof(subjectKey));
        if (self != Recipient || !RecipientKey.SequenceEqual(keyPair.PublicKey.Span))
        {
            error = Error.KeyWrap(KeyWrapProblem.NotForThisReplica, $"wrapped for replica {Recipient}.", Subject);
            return false;
        }

        if (!PublicKey.TryImport(KeyAgreementAlgorithm.X25519, EphemeralKey, KeyBlobFormat.RawPublicKey, out var ephemeral) || ephemeral is null)
        {
            error = Error.KeyWrap(KeyWrapProblem.Malformed, "the ephemeral key is not an X25519 public key.", Subject);
            return false;
        }

        using var wrapping = DeriveWrappingKey(keyPair.Key, ephemeral, EphemeralKey, RecipientKey);
        if (wrapping is null || !AeadAlgorithm.XChaCha20Poly1305.Decrypt(wrapping, Nonce, Bytes.Span[..HeaderLength], Bytes.Span[HeaderLength..], subjectKey))
        {
            error = Error.KeyWrap(KeyWrapProblem.Tampered, "authentication failed: the bytes were changed.", Subject);
            return false;
        }

        error = null;
        return true;
    }

    private static Key? DeriveWrappingKey(Key own, PublicKey other, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> recipientPublic)
    {
        using var shared = KeyAgreementAlgorithm.X25519.Agree(own, other);
        if (shared is null) return null;
        Span<byte> salt = stackalloc byte[KeyLength * 2];
        ephemeralPublic.CopyTo(salt);
        recipientPublic.CopyTo(salt[KeyLength..]);
        return KeyDerivationAlgorithm.HkdfSha256.DeriveKey(shared, salt, LabelBytes, AeadAlgorithm.XChaCha20Poly1305);
    }

    private static int WriteText(byte[] buffer, int at, string ascii)
    {
        buffer[at++] = (byte)ascii.Length;
        return at + Encoding.ASCII.GetBytes(ascii, buffer.AsSpan(at));
    }

    private static bool TryReadText(ReadOnlySpan<byte> s, ref int at, int max, out string text)
    {
        text = "";
        if (s.Length < at + 1) return false;
        var n = s[at];
        if (s.Length < at + 1 + n) return false;
        var span = s.Slice(at + 1, n);
        at += 1 + n;
        if (n == 0 || n > max) return true;
        foreach (var b in span)
        {
            if (b is < 0x21 or > 0x7e) return true;
        }

        text = Encoding.ASCII.GetString(span);
        return true;
    }
}
