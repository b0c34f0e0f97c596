using MessagePack;
using MessagePack.Resolvers;

namespace Ledger.Kernel;

/// <summary>The one MessagePack configuration for args and row values. Fixed: changing it would change
/// bytes, and bytes are hashed.</summary>
public static class Values
{
    /// <summary>Options for values the kernel wrote itself.</summary>
    public static MessagePackSerializerOptions Trusted { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(StandardResolver.Instance);

    /// <summary>Options for untrusted input (op args): hash-flooding-safe collections, depth limits.</summary>
    public static MessagePackSerializerOptions Untrusted { get; } = Trusted.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Encodes a value.</summary>
    public static byte[] Encode<T>(T value)
    {
        // 64-bit integers are the commonest row value (balances, quantities); write their canonical
        // MessagePack form directly. The bytes are identical to the serializer's (a unit test checks).
        if (typeof(T) == typeof(long))
        {
            Span<byte> buffer = stackalloc byte[Wire.MsgPack.MaxIntLength];
            var n = Wire.MsgPack.WriteInt(buffer, (long)(object)value!);
            return buffer[..n].ToArray();
        }

        return MessagePackSerializer.Serialize(value, Trusted);
    }

    /// <summary>Decodes a value the kernel stored.</summary>
    public static T Decode<T>(ReadOnlyMemory<byte> bytes)
    {
        if (typeof(T) == typeof(long))
        {
            var reader = new MessagePackReader(bytes);
            return (T)(object)reader.ReadInt64();
        }

        return MessagePackSerializer.Deserialize<T>(bytes, Trusted);
    }
}
