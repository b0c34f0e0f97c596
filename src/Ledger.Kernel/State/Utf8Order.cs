namespace Ledger.Kernel;

/// <summary>Orders strings by their UTF-8 bytes (equivalently, by code point), without encoding them.</summary>
/// <remarks>.NET's ordinal comparison orders UTF-16 code units, which differs from UTF-8 byte order when
/// a supplementary character (surrogate pair, U+D800-DFFF units) meets U+E000-U+FFFF. Other languages
/// sort UTF-8 bytes, so the state hash uses that order: at the first differing unit, surrogates are
/// moved above U+FFFF.</remarks>
public sealed class Utf8Order : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static Utf8Order Instance { get; } = new();

    private Utf8Order()
    {
    }

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var i = x.AsSpan().CommonPrefixLength(y);
        if (i == x.Length || i == y.Length)
        {
            return x.Length.CompareTo(y.Length);
        }

        return Fix(x[i]).CompareTo(Fix(y[i]));
    }

    /// <summary>Sorts strings into UTF-8 byte order. When no string holds a unit at or above U+D800 the
    /// two orders coincide, and the much faster ordinal comparison is used.</summary>
    public static void Sort(string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            if (key.AsSpan().IndexOfAnyInRange('\uD800', '\uFFFF') >= 0)
            {
                Array.Sort(keys, Instance);
                return;
            }
        }

        Array.Sort(keys, StringComparer.Ordinal);
    }

    private static int Fix(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
}
