namespace Ledger.Kernel;

/// <summary>The character rules shared by author ids, branch names, table names and codes.</summary>
internal static class Identifier
{
    /// <summary>ASCII letters, digits, '.', '_' and '-'; 1 to <paramref name="maxLength"/> characters.</summary>
    public static bool IsValid(ReadOnlySpan<char> text, int maxLength)
    {
        if (text.Length == 0 || text.Length > maxLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsIdentifierChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Table names: as <see cref="IsValid"/>, lower case only, optionally starting with '$' (reserved).</summary>
    public static bool IsValidTableName(ReadOnlySpan<char> text, bool allowReserved)
    {
        if (text.Length > 0 && text[0] == '$')
        {
            if (!allowReserved)
            {
                return false;
            }

            text = text[1..];
        }

        if (!IsValid(text, 64))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is >= 'A' and <= 'Z')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsIdentifierChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';
}
