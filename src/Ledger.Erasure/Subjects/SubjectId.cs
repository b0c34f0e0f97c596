using System.Security.Cryptography;

namespace Ledger.Erasure;

/// <summary>The pseudonym of a data subject (a customer, an employee …): <c>sub-</c> followed by 26 characters
/// of lower-case base32 (128 random bits). Only random pseudonyms are accepted, so an e-mail address or a
/// name can never become a subject id — subject ids appear in clear in the log and in <c>$erased</c>.</summary>
public readonly record struct SubjectId
{
    /// <summary>The length of every subject id, in characters.</summary>
    public const int Length = 30;

    private const string Prefix = "sub-";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private readonly string? _value;

    private SubjectId(string value) => _value = value;

    /// <summary>The id as text.</summary>
    public string Value => _value ?? throw Error.InvalidOperation("this SubjectId is the default value and names no subject.");

    /// <summary>True for <c>default(SubjectId)</c>.</summary>
    public bool IsDefault => _value is null;

    /// <summary>A fresh pseudonym from <paramref name="random"/> (default: the system generator). Inject a
    /// generator for reproducible tests; never derive a pseudonym from the person's data.</summary>
    public static SubjectId New(RandomNumberGenerator? random = null)
    {
        Span<byte> bits = stackalloc byte[16];
        if (random is null) RandomNumberGenerator.Fill(bits);
        else random.GetBytes(bits);
        Span<char> text = stackalloc char[Length];
        Prefix.CopyTo(text);
        int buffer = 0, count = 0, at = Prefix.Length;
        foreach (var b in bits)
        {
            buffer = (buffer << 8) | b;
            count += 8;
            while (count >= 5)
            {
                text[at++] = Alphabet[(buffer >> (count - 5)) & 31];
                count -= 5;
            }
        }

        text[at] = Alphabet[(buffer << (5 - count)) & 31];
        return new SubjectId(new string(text));
    }

    /// <summary>True when <paramref name="text"/> is a subject pseudonym.</summary>
    public static bool IsValid(ReadOnlySpan<char> text)
    {
        if (text.Length != Length || !text.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        foreach (var c in text[Prefix.Length..])
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '2' and <= '7'))) return false;
        }

        // 26 characters carry 130 bits; the last one holds 3 bits of the id and 2 zero bits of padding.
        return (Alphabet.IndexOf(text[^1], StringComparison.Ordinal) & 3) == 0;
    }

    /// <summary>Reads a subject id; false when <paramref name="text"/> is not one.</summary>
    public static bool TryParse(string? text, out SubjectId subject)
    {
        if (text is not null && IsValid(text))
        {
            subject = new SubjectId(text);
            return true;
        }

        subject = default;
        return false;
    }

    /// <summary>Reads a subject id.</summary>
    /// <exception cref="ArgumentException">Not a subject pseudonym.</exception>
    public static SubjectId Parse(string text) => TryParse(text, out var subject)
        ? subject
        : throw Error.Argument($"a subject id is '{Prefix}' and 26 characters of [a-z2-7] (a random pseudonym, never a name or an e-mail address).", nameof(text));

    /// <summary>The id.</summary>
    public override string ToString() => _value ?? "";
}
