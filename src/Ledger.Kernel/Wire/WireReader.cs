using System.Buffers;
using System.Text.Unicode;
using MessagePack;

namespace Ledger.Kernel.Wire;

/// <summary>A strict MessagePack reader for untrusted bytes. Every read names the field it expects, so
/// a failure becomes a <see cref="LedgerFormatException"/> that says what, where and why, instead of a
/// stray parser exception.</summary>
/// <remarks>It checks types, lengths and limits before it reads; it never allocates more than the input
/// holds. Canonical form (the shortest encoding of every value) is checked by the callers, which
/// re-encode what they decoded and compare.</remarks>
public ref struct WireReader
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly string _structure;
    private MessagePackReader _reader;

    /// <summary>Reads <paramref name="bytes"/>, naming the <paramref name="structure"/> in errors.</summary>
    public WireReader(ReadOnlyMemory<byte> bytes, string structure)
    {
        _source = bytes;
        _structure = structure;
        _reader = new MessagePackReader(bytes);
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly long Offset => _reader.Consumed;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool End => _reader.End;

    /// <summary>The structure name used in errors.</summary>
    public readonly string Structure => _structure;

    /// <summary>Reads an array header whose count lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int ReadArrayHeader(string field, int min, int max) => ReadHeader(field, MessagePackType.Array, min, max);

    /// <summary>Reads a map header whose count lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int ReadMapHeader(string field, int min, int max) => ReadHeader(field, MessagePackType.Map, min, max);

    // Arrays and maps differ only in the header read and the words of the error; the checks are one, so they stay one.
    private int ReadHeader(string field, MessagePackType type, int min, int max)
    {
        Expect(field, type);
        var isArray = type == MessagePackType.Array;
        var start = Offset;
        int count;
        try
        {
            count = isArray ? _reader.ReadArrayHeader() : _reader.ReadMapHeader();
        }
        catch (Exception e) when (IsParserFault(e))
        {
            throw Fail(field, FormatProblem.Truncated, start, $"the {(isArray ? "array" : "map")} header is cut off or longer than the input.");
        }

        if (count < min || count > max)
        {
            throw Fail(field, count > max ? FormatProblem.Oversized : FormatProblem.InvalidValue, start, $"expected {Range(min, max)} {(isArray ? "elements" : "entries")}, found {count}.");
        }

        return count;
    }

    /// <summary>Reads a non-negative integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public ulong ReadUInt64(string field, ulong min = 0, ulong max = ulong.MaxValue)
    {
        Expect(field, MessagePackType.Integer);
        var start = Offset;
        ulong value;
        try
        {
            value = _reader.ReadUInt64();
        }
        catch (OverflowException)
        {
            throw Fail(field, FormatProblem.InvalidValue, start, "a negative integer where an unsigned one is required.");
        }
        catch (Exception e) when (IsParserFault(e))
        {
            throw Fail(field, FormatProblem.Truncated, start, "the integer is cut off.");
        }

        if (value < min || value > max)
        {
            throw Fail(field, FormatProblem.InvalidValue, start, $"{value} is outside {Range(min, max)}.");
        }

        return value;
    }

    /// <summary>Reads a signed 64-bit integer.</summary>
    public long ReadInt64(string field)
    {
        Expect(field, MessagePackType.Integer);
        var start = Offset;
        try
        {
            return _reader.ReadInt64();
        }
        catch (OverflowException)
        {
            throw Fail(field, FormatProblem.InvalidValue, start, "the integer does not fit in 64 signed bits.");
        }
        catch (Exception e) when (IsParserFault(e))
        {
            throw Fail(field, FormatProblem.Truncated, start, "the integer is cut off.");
        }
    }

    /// <summary>Reads a boolean.</summary>
    public bool ReadBoolean(string field)
    {
        Expect(field, MessagePackType.Boolean);
        return _reader.ReadBoolean();
    }

    /// <summary>Reads a UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public string ReadString(string field, int maxBytes)
    {
        Expect(field, MessagePackType.String);
        var start = Offset;
        ReadOnlySequence<byte> bytes;
        try
        {
            bytes = _reader.ReadStringSequence() ?? throw Fail(field, FormatProblem.WrongType, start, "nil where a string is required.");
        }
        catch (Exception e) when (IsParserFault(e))
        {
            throw Fail(field, FormatProblem.Truncated, start, "the string is cut off.");
        }

        if (bytes.Length > maxBytes)
        {
            throw Fail(field, FormatProblem.Oversized, start, $"{bytes.Length} bytes; the limit is {maxBytes}.");
        }

        var span = bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray();
        if (!Utf8.IsValid(span))
        {
            throw Fail(field, FormatProblem.InvalidValue, start, "the string is not valid UTF-8.");
        }

        return System.Text.Encoding.UTF8.GetString(span);
    }

    /// <summary>Reads nil or a UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public string? ReadNullableString(string field, int maxBytes) => TryReadNil() ? null : ReadString(field, maxBytes);

    /// <summary>Reads a binary value of length in [<paramref name="minBytes"/>, <paramref name="maxBytes"/>];
    /// the result is a slice of the input, not a copy.</summary>
    public ReadOnlyMemory<byte> ReadBinary(string field, int minBytes, int maxBytes)
    {
        Expect(field, MessagePackType.Binary);
        var start = Offset;
        ReadOnlySequence<byte> bytes;
        try
        {
            bytes = _reader.ReadBytes() ?? throw Fail(field, FormatProblem.WrongType, start, "nil where binary is required.");
        }
        catch (Exception e) when (IsParserFault(e))
        {
            throw Fail(field, FormatProblem.Truncated, start, "the binary value is cut off.");
        }

        if (bytes.Length > maxBytes)
        {
            throw Fail(field, FormatProblem.Oversized, start, $"{bytes.Length} bytes; the limit is {maxBytes}.");
        }

        if (bytes.Length < minBytes)
        {
            throw Fail(field, FormatProblem.InvalidValue, start, $"{bytes.Length} bytes; at least {minBytes} are required.");
        }

        var offset = (int)(start + (Offset - start - bytes.Length));
        return _source.Slice(offset, (int)bytes.Length);
    }

    /// <summary>Reads a 32-byte binary value as a <see cref="Hash32"/>.</summary>
    public Hash32 ReadHash(string field) => new(ReadBinary(field, Hash32.Length, Hash32.Length).Span);

    /// <summary>Consumes a nil and returns true, or returns false and consumes nothing.</summary>
    public bool TryReadNil()
    {
        if (_reader.End)
        {
            return false;
        }

        return _reader.TryReadNil();
    }

    /// <summary>Skips one value of any type (used for fields reserved for later versions).</summary>
    public void Skip(string field)
    {
        var start = Offset;
        if (_reader.End)
        {
            throw Fail(field, FormatProblem.Truncated, start, "the input ends where a value is required.");
        }

        try
        {
            _reader.Skip();
        }
        catch (Exception e) when (IsParserFault(e))
        {
            throw Fail(field, FormatProblem.Truncated, start, "the value is cut off.");
        }
    }

    /// <summary>Fails unless every byte has been read.</summary>
    public readonly void EnsureEnd()
    {
        if (!_reader.End)
        {
            throw Fail("(end)", FormatProblem.TrailingBytes, Offset, $"{_source.Length - Offset} bytes follow the end of the {_structure}.");
        }
    }

    /// <summary>A format error at <paramref name="offset"/> naming this reader's structure.</summary>
    public readonly LedgerFormatException Fail(string field, FormatProblem problem, long offset, string detail) =>
        Error.Decode(_structure, field, problem, offset, detail);

    private readonly void Expect(string field, MessagePackType type)
    {
        if (_reader.End)
        {
            throw Fail(field, FormatProblem.Truncated, Offset, $"the input ends where {Article(type)} is required.");
        }

        MessagePackType actual;
        try
        {
            actual = _reader.NextMessagePackType;
        }
        catch (Exception e) when (IsParserFault(e))
        {
            throw Fail(field, FormatProblem.WrongType, Offset, "an invalid MessagePack type code.");
        }

        if (actual != type)
        {
            throw Fail(field, FormatProblem.WrongType, Offset, $"expected {Article(type)}, found {Article(actual)}.");
        }
    }

    private static string Article(MessagePackType type) => type switch
    {
        MessagePackType.Integer => "an integer",
        MessagePackType.Array => "an array",
        MessagePackType.Extension => "an extension",
        _ => "a " + type.ToString().ToLowerInvariant(),
    };

    private static string Range<T>(T min, T max) => $"[{min}, {max}]";

    private static bool IsParserFault(Exception e) =>
        e is EndOfStreamException or MessagePackSerializationException or InvalidOperationException or ArgumentException;
}
