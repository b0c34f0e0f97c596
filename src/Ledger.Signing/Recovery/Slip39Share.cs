using System.Globalization;

namespace Ledger.Signing.Recovery;

/// <summary>One SLIP-0039 share, decoded from its mnemonic: the parameters every share prints in
/// clear, and its share value.</summary>
/// <remarks>Word layout: 15-bit identifier, extendable flag, 4-bit iteration exponent (2 words); group
/// index, group threshold − 1, group count − 1, member index, member threshold − 1 (4 bits each, 2
/// words); the share value left-padded with zero bits to a multiple of 10 bits; 3 RS1024 checksum
/// words. The first four words therefore hold no bit of the share value.</remarks>
public sealed class Slip39Share
{
    /// <summary>Words of a share that carry no share value: identifier, flags, indices, thresholds.</summary>
    public const int PrefixWords = 4;

    /// <summary>The fewest words of a share (a 128-bit master secret).</summary>
    public const int MinWords = PrefixWords + 13 + Rs1024.ChecksumWords;

    /// <summary>The most words of a share (a 256-bit master secret).</summary>
    public const int MaxWords = PrefixWords + 26 + Rs1024.ChecksumWords;

    private readonly byte[] _value;

    internal Slip39Share(int identifier, bool extendable, int iterationExponent, int groupIndex, int groupThreshold,
        int groupCount, int memberIndex, int memberThreshold, byte[] value)
    {
        Identifier = identifier;
        Extendable = extendable;
        IterationExponent = iterationExponent;
        GroupIndex = groupIndex;
        GroupThreshold = groupThreshold;
        GroupCount = groupCount;
        MemberIndex = memberIndex;
        MemberThreshold = memberThreshold;
        _value = value;
    }

    /// <summary>The random 15-bit identifier shared by every share of one split.</summary>
    public int Identifier { get; }

    /// <summary>True for the extendable format (the identifier is not part of the encryption salt).</summary>
    public bool Extendable { get; }

    /// <summary>PBKDF2 runs 10,000 × 2^e iterations in total; e is 0 to 15.</summary>
    public int IterationExponent { get; }

    /// <summary>The zero-based index of this share's group.</summary>
    public int GroupIndex { get; }

    /// <summary>How many groups rebuild the master secret, 1 to 16.</summary>
    public int GroupThreshold { get; }

    /// <summary>How many groups the split made, 1 to 16.</summary>
    public int GroupCount { get; }

    /// <summary>The zero-based index of this share within its group.</summary>
    public int MemberIndex { get; }

    /// <summary>How many shares of this group rebuild the group share, 1 to 16.</summary>
    public int MemberThreshold { get; }

    /// <summary>The share value: as long as the master secret.</summary>
    public ReadOnlySpan<byte> Value => _value;

    internal byte[] ValueArray => _value;

    /// <summary>The first <see cref="PrefixWords"/> words of the mnemonic, which reveal nothing of
    /// the secret and tell shares and sets apart.</summary>
    public string Prefix => string.Join(' ', Words().Take(PrefixWords));

    /// <summary>The mnemonic: lower-case words separated by single spaces.</summary>
    public string ToMnemonic() => string.Join(' ', Words());

    /// <summary>Describes the share by its prefix and parameters, never by its value.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix} … (group {GroupIndex + 1} of {GroupCount}, need {GroupThreshold}; member {MemberIndex + 1}, need {MemberThreshold})");

    /// <summary>Decodes and checks one mnemonic; <paramref name="position"/> locates it in errors.</summary>
    internal static Slip39Share Decode(string mnemonic, int position)
    {
        var texts = mnemonic.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var prefix = string.Join(' ', texts.Take(PrefixWords).Select(Printable));
        var words = new int[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            words[i] = Slip39Wordlist.IndexOf(texts[i].ToLowerInvariant());
            if (words[i] < 0)
            {
                throw Error.Share(ShareProblem.UnknownWord,
                    $"word {i + 1} \"{Printable(texts[i])}\" is not in the SLIP-0039 word list.", position, prefix);
            }
        }

        if (words.Length < MinWords || words.Length > MaxWords)
        {
            throw Error.Share(ShareProblem.BadLength,
                $"a share has {MinWords} to {MaxWords} words (a 128- to 256-bit master secret); this one has {words.Length}.", position, prefix);
        }

        var valueWords = words.Length - PrefixWords - Rs1024.ChecksumWords;
        var padding = 10 * valueWords % 16;
        if (padding > 8)
        {
            throw Error.Share(ShareProblem.BadLength,
                $"{words.Length} words encode no whole master secret (its length is a multiple of 2 bytes).", position, prefix);
        }

        var idExp = (words[0] << 10) | words[1];
        var extendable = ((idExp >> 4) & 1) == 1;
        if (!Rs1024.Verify(extendable, words))
        {
            throw Error.Share(ShareProblem.BadChecksum,
                "the checksum does not match the words: one of them is mistyped, missing or out of place.", position, prefix);
        }

        var parameters = (words[2] << 10) | words[3];
        var groupThreshold = ((parameters >> 12) & 15) + 1;
        var groupCount = ((parameters >> 8) & 15) + 1;
        if (groupThreshold > groupCount)
        {
            throw Error.Share(ShareProblem.BadThreshold,
                $"the group threshold {groupThreshold} exceeds the group count {groupCount}.", position, prefix);
        }

        var value = ReadValue(words.AsSpan(PrefixWords, valueWords), padding)
            ?? throw Error.Share(ShareProblem.BadPadding,
                "the padding bits in front of the share value are not zero.", position, prefix);

        return new Slip39Share(idExp >> 5, extendable, idExp & 15, parameters >> 16, groupThreshold, groupCount,
            (parameters >> 4) & 15, (parameters & 15) + 1, value);
    }

    private IEnumerable<string> Words()
    {
        var valueWords = (_value.Length * 8 + 9) / 10;
        var words = new int[PrefixWords + valueWords + Rs1024.ChecksumWords];
        var idExp = (Identifier << 5) | ((Extendable ? 1 : 0) << 4) | IterationExponent;
        words[0] = idExp >> 10;
        words[1] = idExp & 1023;
        var parameters = (GroupIndex << 16) | ((GroupThreshold - 1) << 12) | ((GroupCount - 1) << 8) | (MemberIndex << 4) | (MemberThreshold - 1);
        words[2] = parameters >> 10;
        words[3] = parameters & 1023;

        // Big-endian bits, the padding zeros first: walk the value from its last bit backwards.
        var totalBits = valueWords * 10;
        var padding = totalBits - _value.Length * 8;
        for (var bit = 0; bit < _value.Length * 8; bit++)
        {
            if (((_value[bit / 8] >> (7 - bit % 8)) & 1) != 0)
            {
                var position = padding + bit;
                words[PrefixWords + position / 10] |= 1 << (9 - position % 10);
            }
        }

        var dataLength = PrefixWords + valueWords;
        Rs1024.Create(Extendable, words.AsSpan(0, dataLength), words.AsSpan(dataLength));
        return words.Select(Slip39Wordlist.Word);
    }

    private static byte[]? ReadValue(ReadOnlySpan<int> valueWords, int padding)
    {
        var totalBits = valueWords.Length * 10;
        var value = new byte[(totalBits - padding) / 8];
        for (var position = 0; position < totalBits; position++)
        {
            var bit = (valueWords[position / 10] >> (9 - position % 10)) & 1;
            if (position < padding)
            {
                if (bit != 0)
                {
                    return null;
                }

                continue;
            }

            var offset = position - padding;
            value[offset / 8] |= (byte)(bit << (7 - offset % 8));
        }

        return value;
    }

    private static string Printable(string text)
    {
        var clipped = text.Length > 24 ? text[..24] + "…" : text;
        return new string(clipped.Select(c => char.IsControl(c) || c == '"' ? '?' : c).ToArray());
    }
}
