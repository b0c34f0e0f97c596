namespace Ledger.Signing.Recovery;

/// <summary>The RS1024 checksum of SLIP-0039: a Reed–Solomon code over GF(1024) whose three check
/// symbols are the last three words of a share. Detects any error in up to three words.</summary>
internal static class Rs1024
{
    /// <summary>The customization string of shares with the extendable flag clear.</summary>
    public const string OriginalCustomization = "shamir";

    /// <summary>The customization string of shares with the extendable flag set.</summary>
    public const string ExtendableCustomization = "shamir_extendable";

    public const int ChecksumWords = 3;

    private static readonly uint[] Generator =
    [
        0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
        0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120,
    ];

    /// <summary>The customization string for a share's extendable flag.</summary>
    public static string Customization(bool extendable) => extendable ? ExtendableCustomization : OriginalCustomization;

    /// <summary>True when <paramref name="words"/> (data and checksum) carry a valid checksum.</summary>
    public static bool Verify(bool extendable, ReadOnlySpan<int> words) => Polymod(Customization(extendable), words, 0) == 1;

    /// <summary>The three checksum words for the data words.</summary>
    public static void Create(bool extendable, ReadOnlySpan<int> data, Span<int> checksum)
    {
        var polymod = Polymod(Customization(extendable), data, ChecksumWords) ^ 1;
        for (var i = 0; i < ChecksumWords; i++)
        {
            checksum[i] = (int)((polymod >> (10 * (ChecksumWords - 1 - i))) & 1023);
        }
    }

    private static uint Polymod(string customization, ReadOnlySpan<int> words, int trailingZeros)
    {
        uint checksum = 1;
        foreach (var c in customization)
        {
            checksum = Step(checksum, c);
        }

        foreach (var word in words)
        {
            checksum = Step(checksum, (uint)word);
        }

        for (var i = 0; i < trailingZeros; i++)
        {
            checksum = Step(checksum, 0);
        }

        return checksum;
    }

    private static uint Step(uint checksum, uint value)
    {
        var top = checksum >> 20;
        checksum = ((checksum & 0xFFFFF) << 10) ^ value;
        for (var i = 0; i < 10; i++)
        {
            if (((top >> i) & 1) != 0)
            {
                checksum ^= Generator[i];
            }
        }

        return checksum;
    }
}
