using System.Security.Cryptography;
using Ledger.Kernel;
using MessagePack;
using NSec.Cryptography;

namespace Ledger.Erasure;

/// <summary>Seals personal data for op args, at the edge (in the app, before the op is built — never in a verb:
/// sealing draws a random nonce). The ciphertext is bound to the op (author, seq) and the field name, so it
/// cannot be replayed into another op or read as another field.</summary>
public sealed class Sealer
{
    private readonly ISubjectKeyStore _keys;
    private readonly RandomNumberGenerator? _random;

    /// <summary>Seals with keys from <paramref name="keys"/> and nonces from <paramref name="random"/> (default: the
    /// system generator; inject one for reproducible tests).</summary>
    public Sealer(ISubjectKeyStore keys, RandomNumberGenerator? random = null)
    {
        _keys = keys ?? throw Error.ArgumentNull(nameof(keys));
        _random = random;
    }

    /// <summary>Seals <paramref name="value"/> of <paramref name="subject"/> as field <paramref name="field"/> of op <paramref name="op"/>.</summary>
    /// <param name="subject">Whose data it is.</param>
    /// <param name="value">The value (MessagePack-serializable).</param>
    /// <param name="op">The op that will carry it: its author and the seq it will have (for an <c>AuthorLog</c>, <c>Seq + 1</c>).</param>
    /// <param name="field">The field name, 1-64 characters of [a-z0-9._-]; the reader names the same one.</param>
    /// <exception cref="SubjectKeyUnavailableException">This replica holds no key for the subject (or shredded it).</exception>
    public Sealed<T> Seal<T>(SubjectId subject, T value, OpRef op, string field)
    {
        if (subject.IsDefault) throw Error.Argument("default(SubjectId) names no subject.", nameof(subject));
        if (op.Author.IsDefault || op.Seq == 0) throw Error.Argument("the op needs an author and a seq ≥ 1.", nameof(op));
        if (!Kernel.Op.IsValidVerbName(field)) throw Error.Argument("a field name is 1-64 characters of [a-z0-9._-].", nameof(field));
        var plaintext = MessagePackSerializer.Serialize(value, Values.Trusted);
        Span<byte> keyBytes = stackalloc byte[SubjectKey.Length];
        try
        {
            if (plaintext.Length > SealedEnvelope.MaxPlaintextLength)
            {
                throw Error.Argument($"the value encodes to {plaintext.Length} bytes; a sealed field holds at most {SealedEnvelope.MaxPlaintextLength}.", nameof(value));
            }

            var status = _keys.TryRead(subject, keyBytes);
            if (status != SubjectKeyStatus.Held) throw Error.SubjectKeyUnavailable(subject, status);
            Span<byte> nonce = stackalloc byte[SealedEnvelope.NonceLength];
            if (_random is null) RandomNumberGenerator.Fill(nonce);
            else _random.GetBytes(nonce);
            var header = SealedEnvelope.Header(subject, op, field, plaintext.Length, nonce);
            var envelope = new byte[header.Length + plaintext.Length + SealedEnvelope.TagLength];
            header.CopyTo(envelope, 0);
            using var key = Key.Import(AeadAlgorithm.XChaCha20Poly1305, keyBytes, KeyBlobFormat.RawSymmetricKey);
            AeadAlgorithm.XChaCha20Poly1305.Encrypt(key, nonce, header, plaintext, envelope.AsSpan(header.Length));
            return Sealed<T>.Own(envelope);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyBytes);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
