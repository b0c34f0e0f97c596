using System.Security.Cryptography;
using Ledger.Kernel;
using MessagePack;
using NSec.Cryptography;

namespace Ledger.Erasure;

/// <summary>Opens sealed fields for read models (projections, UIs, exports to the subject). Never used by a
/// verb: the fold must not depend on which keys a replica holds, or replay after a shred would diverge; the
/// Ledger analyzer reports an <see cref="Unsealer"/> reachable from a verb.</summary>
/// <remarks>Never throws on bad content: a damaged or misplaced field comes back as
/// <see cref="UnsealStatus.Invalid"/> with a <see cref="SealedFieldException"/> naming op and field, an erased
/// subject as <see cref="UnsealStatus.Erased"/>.</remarks>
public sealed class Unsealer
{
    private readonly ISubjectKeyStore _keys;
    private readonly Func<SubjectId, bool>? _isErased;

    /// <summary>Opens with keys from <paramref name="keys"/>.</summary>
    /// <param name="keys">The replica's key store.</param>
    /// <param name="isErased">Also treats these subjects as erased even while their key is still held — e.g. those
    /// in the replica's <c>$erased</c> rows, between the erase op's fold and the shred.</param>
    public Unsealer(ISubjectKeyStore keys, Func<SubjectId, bool>? isErased = null)
    {
        _keys = keys ?? throw Error.ArgumentNull(nameof(keys));
        _isErased = isErased;
    }

    /// <summary>An unsealer that also treats the subjects in <paramref name="state"/>'s <c>$erased</c> rows as erased.</summary>
    public static Unsealer For(ISubjectKeyStore keys, StateStore state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new Unsealer(keys, subject => state.ErasedSubjects().Contains(subject.Value, StringComparer.Ordinal));
    }

    /// <summary>Opens field <paramref name="field"/> of op <paramref name="op"/>: the envelope must have been sealed
    /// for exactly that op and field.</summary>
    public Unsealed<T> Open<T>(Sealed<T> value, OpRef op, string field)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(field);
        return Open<T>(value.Envelope, op, field);
    }

    /// <summary>Opens a sealed value copied out of its op (e.g. into a row), trusting the op and field its envelope
    /// names — they are still authenticated, so the value is the one sealed for that op and field.</summary>
    public Unsealed<T> Open<T>(Sealed<T> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Open<T>(value.Envelope, null, null);
    }

    private Unsealed<T> Open<T>(ReadOnlyMemory<byte> bytes, OpRef? op, string? field)
    {
        var envelope = SealedEnvelope.Read(bytes, op, field, out var error);
        if (envelope is null) return new Unsealed<T>(UnsealStatus.Invalid, default, default!, error);
        var subject = envelope.Subject;
        if (_isErased?.Invoke(subject) == true) return new Unsealed<T>(UnsealStatus.Erased, subject, default!, null);
        Span<byte> keyBytes = stackalloc byte[SubjectKey.Length];
        var ciphertext = envelope.Ciphertext;
        var plaintext = new byte[ciphertext.Length - SealedEnvelope.TagLength];
        try
        {
            switch (_keys.TryRead(subject, keyBytes))
            {
                case SubjectKeyStatus.Shredded:
                    return new Unsealed<T>(UnsealStatus.Erased, subject, default!, null);
                case SubjectKeyStatus.Unknown:
                    return new Unsealed<T>(UnsealStatus.KeyNotHeld, subject, default!, null);
            }

            using (var key = Key.Import(AeadAlgorithm.XChaCha20Poly1305, keyBytes, KeyBlobFormat.RawSymmetricKey))
            {
                if (!AeadAlgorithm.XChaCha20Poly1305.Decrypt(key, envelope.Nonce, envelope.AssociatedData, ciphertext, plaintext))
                {
                    return Invalid<T>(envelope, SealedFieldProblem.Tampered, "authentication failed: the ciphertext or its header was changed, or it was sealed under another key.");
                }
            }

            T value;
            try
            {
                value = MessagePackSerializer.Deserialize<T>(plaintext, Values.Untrusted);
            }
            catch (MessagePackSerializationException)
            {
                // The serializer's message may quote the plaintext; only the type is reported.
                return Invalid<T>(envelope, SealedFieldProblem.WrongType, $"the plaintext does not decode as {typeof(T).Name}.");
            }

            return new Unsealed<T>(UnsealStatus.Open, subject, value, null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyBytes);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static Unsealed<T> Invalid<T>(SealedEnvelope envelope, SealedFieldProblem problem, string detail) =>
        new(UnsealStatus.Invalid, envelope.Subject, default!, Error.SealedField(envelope.Op, envelope.Field, problem, detail));
}
