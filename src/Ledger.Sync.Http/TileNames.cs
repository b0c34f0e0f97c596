using System.Globalization;

namespace Ledger.Sync.Http;

/// <summary>C2SP tlog-tiles paths: N in 3-digit elements, all but the last prefixed 'x'; <c>.p/W</c> for a partial tile.</summary>
internal static class TileNames
{
    public const int Width = 256;

    public static string EntryBundle(long index, int width) => "tile/entries/" + Index(index) + (width == Width ? "" : ".p/" + width.ToString(CultureInfo.InvariantCulture));

    public static string Index(long index)
    {
        var elements = new List<string>();
        var n = index;
        do
        {
            elements.Insert(0, (n % 1000).ToString("000", CultureInfo.InvariantCulture));
            n /= 1000;
        }
        while (n > 0);
        for (var i = 0; i < elements.Count - 1; i++) elements[i] = "x" + elements[i];
        return string.Join('/', elements);
    }
}
