using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ledger.Signing;

/// <summary>UUIDv7 op ids (RFC 9562) drawn from a pooled CSPRNG buffer.</summary>
/// <remarks><see cref="Guid.CreateVersion7(DateTimeOffset)"/> asks the OS for 16 random bytes per id — a system call
/// on Linux — and op ids are made on the serial signing path, so one call per 256 ids is cheaper. Not
/// thread-safe, like the <see cref="AuthorLog"/> that owns it.</remarks>
internal sealed class OpIdSource
{
    private const int IdsPerRefill = 256;
    private readonly byte[] _pool = new byte[16 * IdsPerRefill];
    private int _next = 16 * IdsPerRefill;

    public Guid Next(DateTimeOffset at)
    {
        var unixMs = at.ToUnixTimeMilliseconds();
        if (unixMs < 0) throw Error.OutOfRange(nameof(at), "a UUIDv7 needs a time at or after 1970-01-01.");
        if (_next == _pool.Length)
        {
            RandomNumberGenerator.Fill(_pool);
            _next = 0;
        }

        Span<byte> id = stackalloc byte[16];
        _pool.AsSpan(_next, 16).CopyTo(id);
        _next += 16;
        // 48-bit big-endian milliseconds, then version 7 and variant 0b10 over the random bits.
        Span<byte> time = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(time, unixMs);
        time[2..].CopyTo(id);
        id[6] = (byte)(0x70 | (id[6] & 0x0F));
        id[8] = (byte)(0x80 | (id[8] & 0x3F));
        return new Guid(id, bigEndian: true);
    }
}
