using System.Collections.Frozen;
using System.Resources;

namespace Ledger.Signing.Recovery;

/// <summary>The 1024 words of SLIP-0039, loaded once from the embedded <c>slip-0039-wordlist.txt</c>.</summary>
internal static class Slip39Wordlist
{
    public const int Count = 1024;

    private static readonly Lazy<(string[] Words, FrozenDictionary<string, int> Index)> Table = new(Load);

    /// <summary>The word for a 10-bit value.</summary>
    public static string Word(int index) => Table.Value.Words[index];

    /// <summary>The 10-bit value of a word (lower case), or −1 when it is not in the list.</summary>
    public static int IndexOf(string word) => Table.Value.Index.TryGetValue(word, out var index) ? index : -1;

    private static (string[] Words, FrozenDictionary<string, int> Index) Load()
    {
        var resources = new ResourceManager("Ledger.Signing.Recovery.Wordlist", typeof(Slip39Wordlist).Assembly);
        // The list is the same in every culture: never a satellite assembly's.
        var text = resources.GetString("Words", System.Globalization.CultureInfo.InvariantCulture)
            ?? throw Error.InvalidOperation("The embedded SLIP-0039 word list is missing from Ledger.Signing.");
        var words = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // A damaged list would silently produce shares no other implementation reads: refuse to start.
        if (words.Length != Count || !words.SequenceEqual(words.Order(StringComparer.Ordinal)))
        {
            throw Error.InvalidOperation("The embedded SLIP-0039 word list is damaged: expected 1024 sorted words.");
        }

        var index = words.Select((w, i) => KeyValuePair.Create(w, i)).ToFrozenDictionary(StringComparer.Ordinal);
        return (words, index);
    }
}
