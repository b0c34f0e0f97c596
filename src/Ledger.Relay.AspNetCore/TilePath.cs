namespace Ledger.Sync.AspNetCore;

/// <summary>A C2SP tlog-tiles resource path after <c>tile/</c>: <c>&lt;L&gt;/&lt;N&gt;[.p/&lt;W&gt;]</c> or
/// <c>entries/&lt;N&gt;[.p/&lt;W&gt;]</c>, where N is written in 3-digit elements, all but the last prefixed 'x'
/// (1234067 is <c>x001/x234/067</c>). Parsing is strict: every other spelling is refused, so one resource has one
/// URL (what caches key on).</summary>
internal readonly record struct TilePath(int Level, long Index, int Width)
{
    /// <summary>Level of an entry bundle.</summary>
    public const int Entries = -1;

    public const int FullWidth = 256;

    public bool IsEntries => Level == Entries;

    public static bool TryParse(string? path, out TilePath tile, out string problem)
    {
        tile = default;
        var parts = (path ?? "").Split('/');
        if (parts.Length < 2)
        {
            problem = "a tile path is <L>/<N>[.p/<W>] or entries/<N>[.p/<W>].";
            return false;
        }

        int level;
        if (parts[0] == "entries") level = Entries;
        else if (!TryDecimal(parts[0], 63, out var l))
        {
            problem = $"the tile level '{parts[0]}' is not a decimal from 0 to 63 without leading zeros.";
            return false;
        }
        else level = (int)l;

        var width = FullWidth;
        var last = parts.Length - 1;
        if (parts.Length >= 3 && parts[^2].EndsWith(".p", StringComparison.Ordinal))
        {
            if (!TryDecimal(parts[^1], 255, out var w) || w == 0)
            {
                problem = $"the partial width '{parts[^1]}' is not a decimal from 1 to 255 without leading zeros.";
                return false;
            }

            width = (int)w;
            parts[^2] = parts[^2][..^2];
            last = parts.Length - 2;
        }

        // N: elements 1..last; at most 6 elements (10^18 fits a long).
        var count = last;
        if (count is < 1 or > 6)
        {
            problem = "the tile index has 1 to 6 three-digit elements.";
            return false;
        }

        long index = 0;
        for (var i = 1; i <= last; i++)
        {
            var element = parts[i];
            var prefixed = i < last;
            if (prefixed)
            {
                if (element.Length != 4 || element[0] != 'x')
                {
                    problem = $"tile index element '{element}' must be 'x' and three digits.";
                    return false;
                }

                element = element[1..];
            }

            if (element.Length != 3 || !element.All(char.IsAsciiDigit))
            {
                problem = $"tile index element '{parts[i]}' must be three digits.";
                return false;
            }

            index = (index * 1000) + ((element[0] - '0') * 100) + ((element[1] - '0') * 10) + (element[2] - '0');
        }

        // One spelling per index: no leading all-zero elements ("x000/001" is 1, written "001").
        if (last > 1 && parts[1] == "x000")
        {
            problem = "the tile index has a leading zero element.";
            return false;
        }

        tile = new TilePath(level, index, width);
        problem = "";
        return true;
    }

    /// <summary>The path of a tile (after <c>tile/</c>).</summary>
    public override string ToString()
    {
        var elements = new List<string>();
        var n = Index;
        do
        {
            elements.Insert(0, (n % 1000).ToString("000", System.Globalization.CultureInfo.InvariantCulture));
            n /= 1000;
        }
        while (n > 0);
        for (var i = 0; i < elements.Count - 1; i++) elements[i] = "x" + elements[i];
        var head = IsEntries ? "entries" : Level.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tail = Width == FullWidth ? "" : ".p/" + Width.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"{head}/{string.Join('/', elements)}{tail}";
    }

    private static bool TryDecimal(string text, long max, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 19 || (text.Length > 1 && text[0] == '0')) return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
            value = (value * 10) + (c - '0');
            if (value > max) return false;
        }

        return true;
    }
}
