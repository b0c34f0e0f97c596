using System.Buffers.Binary;
using System.Text;

namespace Ledger.Kernel.Wire;

/// <summary>The few canonical MessagePack forms the state hash needs, written straight into spans.</summary>
/// <remarks>Produces exactly what MessagePack-CSharp's writer produces (shortest integer and length
/// forms; non-negative integers in the unsigned family); a unit test holds the two together.</remarks>
internal static class MsgPack
{
    public const int MaxIntLength = 9;

    public static int WriteInt(Span<byte> dst, long value)
    {
        if (value >= 0) return WriteUInt(dst, (ulong)value);
        if (value >= -32) { dst[0] = unchecked((byte)(sbyte)value); return 1; }
        if (value >= sbyte.MinValue) { dst[0] = 0xd0; dst[1] = unchecked((byte)(sbyte)value); return 2; }
        if (value >= short.MinValue) { dst[0] = 0xd1; BinaryPrimitives.WriteInt16BigEndian(dst[1..], (short)value); return 3; }
        if (value >= int.MinValue) { dst[0] = 0xd2; BinaryPrimitives.WriteInt32BigEndian(dst[1..], (int)value); return 5; }
        dst[0] = 0xd3; BinaryPrimitives.WriteInt64BigEndian(dst[1..], value); return 9;
    }

    public static int WriteUInt(Span<byte> dst, ulong value)
    {
        if (value <= 0x7f) { dst[0] = (byte)value; return 1; }
        if (value <= byte.MaxValue) { dst[0] = 0xcc; dst[1] = (byte)value; return 2; }
        if (value <= ushort.MaxValue) { dst[0] = 0xcd; BinaryPrimitives.WriteUInt16BigEndian(dst[1..], (ushort)value); return 3; }
        if (value <= uint.MaxValue) { dst[0] = 0xce; BinaryPrimitives.WriteUInt32BigEndian(dst[1..], (uint)value); return 5; }
        dst[0] = 0xcf; BinaryPrimitives.WriteUInt64BigEndian(dst[1..], value); return 9;
    }

    public static int StrHeaderLength(int byteCount) => byteCount <= 31 ? 1 : byteCount <= byte.MaxValue ? 2 : byteCount <= ushort.MaxValue ? 3 : 5;

    public static int WriteStrHeader(Span<byte> dst, int byteCount)
    {
        if (byteCount <= 31) { dst[0] = (byte)(0xa0 | byteCount); return 1; }
        if (byteCount <= byte.MaxValue) { dst[0] = 0xd9; dst[1] = (byte)byteCount; return 2; }
        if (byteCount <= ushort.MaxValue) { dst[0] = 0xda; BinaryPrimitives.WriteUInt16BigEndian(dst[1..], (ushort)byteCount); return 3; }
        dst[0] = 0xdb; BinaryPrimitives.WriteUInt32BigEndian(dst[1..], (uint)byteCount); return 5;
    }

    public static int BinHeaderLength(int byteCount) => byteCount <= byte.MaxValue ? 2 : byteCount <= ushort.MaxValue ? 3 : 5;

    public static int WriteBinHeader(Span<byte> dst, int byteCount)
    {
        if (byteCount <= byte.MaxValue) { dst[0] = 0xc4; dst[1] = (byte)byteCount; return 2; }
        if (byteCount <= ushort.MaxValue) { dst[0] = 0xc5; BinaryPrimitives.WriteUInt16BigEndian(dst[1..], (ushort)byteCount); return 3; }
        dst[0] = 0xc6; BinaryPrimitives.WriteUInt32BigEndian(dst[1..], (uint)byteCount); return 5;
    }

    public static int ArrayHeaderLength(int count) => count <= 15 ? 1 : count <= ushort.MaxValue ? 3 : 5;

    public static int WriteArrayHeader(Span<byte> dst, int count)
    {
        if (count <= 15) { dst[0] = (byte)(0x90 | count); return 1; }
        if (count <= ushort.MaxValue) { dst[0] = 0xdc; BinaryPrimitives.WriteUInt16BigEndian(dst[1..], (ushort)count); return 3; }
        dst[0] = 0xdd; BinaryPrimitives.WriteUInt32BigEndian(dst[1..], (uint)count); return 5;
    }

    /// <summary>A string as MessagePack str bytes.</summary>
    public static byte[] Str(string value)
    {
        var n = Encoding.UTF8.GetByteCount(value);
        var bytes = new byte[StrHeaderLength(n) + n];
        var h = WriteStrHeader(bytes, n);
        Encoding.UTF8.GetBytes(value, bytes.AsSpan(h));
        return bytes;
    }
}
