using MessagePack;
using MessagePack.Formatters;

namespace Ledger.Erasure;

/// <summary>Writes a <see cref="Sealed{T}"/> as a MessagePack <c>bin</c> of its envelope; reads any <c>bin</c>
/// back without interpreting it (nil reads as null).</summary>
/// <typeparam name="T">The sealed value's type.</typeparam>
public sealed class SealedFormatter<T> : IMessagePackFormatter<Sealed<T>?>
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, Sealed<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.Write(value.Envelope.Span);
    }

    /// <inheritdoc />
    public Sealed<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil()) return null;
        var bytes = reader.ReadBytes() ?? throw Error.Serialization("a sealed field is a bin value.");
        if (bytes.Length > SealedEnvelope.MaxLength) throw Error.Serialization("a sealed field is larger than the format allows.");
        return Sealed<T>.Own(System.Buffers.BuffersExtensions.ToArray(bytes));
    }
}
