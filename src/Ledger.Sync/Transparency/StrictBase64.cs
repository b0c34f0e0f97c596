namespace Ledger.Sync;

/// <summary>Standard base64 as the signed-note specs mean it: padded, no whitespace, zero padding bits.
/// .NET's decoder is lenient about all three, and a note another implementation rejects must not verify here.</summary>
internal static class StrictBase64
{
    /// <summary>Decodes <paramref name="text"/>, or returns null when it is not canonical standard base64.</summary>
    public static byte[]? Decode(string text)
    {
        if (text.Length % 4 != 0) return null;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }

        // Re-encoding gives back the text only when it had no whitespace and canonical padding bits.
        return string.Equals(Convert.ToBase64String(bytes), text, StringComparison.Ordinal) ? bytes : null;
    }
}
