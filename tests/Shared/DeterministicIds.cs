using System.Buffers.Binary;

namespace Ledger.Tests;

/// <summary>Op ids that are the same on every run, so signed and golden bytes can be pinned: the UUIDv7 layout of the
/// edge time (ms) and a counter. One copy of the layout for every test project's fixed-id source.</summary>
internal sealed class DeterministicIds
{
    private long _count;

    /// <summary>The next id at <paramref name="at"/>; the counter (1, 2, …) keeps ids of one millisecond apart.</summary>
    public Guid Next(DateTimeOffset at) => At(at, ++_count);

    /// <summary>The id of <paramref name="at"/> and <paramref name="counter"/> (0: the time alone).</summary>
    public static Guid At(DateTimeOffset at, long counter = 0)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, at.ToUnixTimeMilliseconds() << 16);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(8), counter);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x70);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
