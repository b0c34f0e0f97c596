using System.Text;

namespace Ledger.Kernel;

/// <summary>The rule for row keys: any string of at most 1,024 UTF-8 bytes that is well-formed
/// Unicode (no lone surrogates), so that its UTF-8 form is exact.</summary>
public static class RowKey
{
    /// <summary>The longest row key in UTF-8 bytes.</summary>
    public const int MaxBytes = 1024;

    /// <summary>True when <paramref name="key"/> may name a row.</summary>
    public static bool IsValid(string? key)
    {
        if (key is null || key.Length > MaxBytes) return false;
        var needsUnicodeCheck = false;
        foreach (var c in key)
        {
            if (c >= 0x80)
            {
                needsUnicodeCheck = true;
                break;
            }
        }

        if (!needsUnicodeCheck) return true;
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= key.Length || !char.IsLowSurrogate(key[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return Encoding.UTF8.GetByteCount(key) <= MaxBytes;
    }
}
