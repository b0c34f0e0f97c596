using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ledger.Kernel;

/// <summary>A 32-byte digest (SHA-256 output) with value semantics.</summary>
/// <remarks>Stored as four big-endian words so that equality, hashing and ordering are cheap and
/// the ordering equals the byte-wise ordering of the digest.</remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Hash32 : IEquatable<Hash32>, IComparable<Hash32>
{
    /// <summary>The length of the digest in bytes.</summary>
    public const int Length = 32;

    private readonly ulong _a, _b, _c, _d;

    /// <summary>The all-zero digest; used as <c>Prev</c> of an author's first op.</summary>
    public static Hash32 Zero => default;

    /// <summary>Creates a digest from exactly 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public Hash32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw Error.Argument(nameof(bytes), $"a Hash32 takes exactly {Length} bytes, not {bytes.Length}.");
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>True when every byte is zero.</summary>
    public bool IsZero => (_a | _b | _c | _d) == 0;

    /// <summary>SHA-256 of <paramref name="data"/>.</summary>
    public static Hash32 Sha256(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Length];
        SHA256.HashData(data, digest);
        return new Hash32(digest);
    }

    /// <summary>Writes the 32 bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw Error.Argument(nameof(destination), $"the destination needs {Length} bytes.");
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    /// <summary>The 32 bytes as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Lower-case hexadecimal, 64 characters.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>The first <paramref name="chars"/> hexadecimal characters, for display.</summary>
    public string ToShortString(int chars = 12) => ToString()[..Math.Clamp(chars, 1, 64)];

    /// <summary>Parses 64 hexadecimal characters.</summary>
    public static Hash32 Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (!TryParse(hex, out var hash))
        {
            throw Error.Format(nameof(hex), "a Hash32 is 64 hexadecimal characters.");
        }

        return hash;
    }

    /// <summary>Parses 64 hexadecimal characters; false when the text is not one.</summary>
    public static bool TryParse(string? hex, out Hash32 hash)
    {
        hash = default;
        if (hex is null || hex.Length != Length * 2)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            return false;
        }

        hash = new Hash32(bytes);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(Hash32 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hash32 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)(_a ^ (_a >> 32));

    /// <inheritdoc />
    public int CompareTo(Hash32 other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        if (c != 0) return c;
        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(Hash32 left, Hash32 right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Hash32 left, Hash32 right) => !left.Equals(right);
}
