using System.Diagnostics.CodeAnalysis;
using MessagePack;

namespace Ledger.Erasure;

/// <summary>A value of personal data, sealed under its subject's key, as it travels inside op args and rows.
/// Opaque to the fold: a verb can carry it, store it and read whose data it is (<see cref="TryReadEnvelope"/>),
/// but nothing here decrypts — only an <see cref="Unsealer"/> in a read model does, and the Ledger analyzer
/// reports one reachable from a verb.</summary>
/// <typeparam name="T">The value's type (MessagePack-serializable).</typeparam>
/// <remarks>In MessagePack it is a <c>bin</c> holding the envelope bytes (docs/wire-format.md, "Sealed field v1").
/// The formatter does not parse the envelope, so a damaged one never changes how an op folds; it is found
/// when a read model opens it.</remarks>
[MessagePackFormatter(typeof(SealedFormatter<>))]
public sealed class Sealed<T> : IEquatable<Sealed<T>>
{
    private readonly byte[] _envelope;

    private Sealed(byte[] envelope) => _envelope = envelope;

    /// <summary>The envelope bytes.</summary>
    public ReadOnlyMemory<byte> Envelope => _envelope;

    /// <summary>Wraps envelope bytes (copied) as received, without checking them.</summary>
    public static Sealed<T> FromEnvelope(ReadOnlySpan<byte> envelope) => new(envelope.ToArray());

    internal static Sealed<T> Own(byte[] envelope) => new(envelope);

    /// <summary>Reads the clear header (subject, op, field) without a key; false and the error when the bytes
    /// are not a sealed field. Deterministic, so a verb may key a row by the subject it names.</summary>
    public bool TryReadEnvelope([NotNullWhen(true)] out SealedEnvelope? envelope, [NotNullWhen(false)] out SealedFieldException? error) =>
        SealedEnvelope.TryRead(_envelope, out envelope, out error);

    /// <inheritdoc />
    public bool Equals(Sealed<T>? other) => other is not null && _envelope.AsSpan().SequenceEqual(other._envelope);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Sealed<T>);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_envelope);
        return hash.ToHashCode();
    }

    /// <summary>Says that it is sealed and how long it is; never the content.</summary>
    public override string ToString() => $"sealed<{typeof(T).Name}>({_envelope.Length} bytes)";
}
