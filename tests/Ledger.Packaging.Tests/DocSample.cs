namespace Ledger.Packaging.Tests;

/// <summary>Code samples taken from the docs exactly as printed.</summary>
internal static class DocSample
{
    /// <summary>The first csharp block of a markdown file.</summary>
    public static string FirstCsharpBlock(string markdown)
    {
        var text = File.ReadAllText(markdown).ReplaceLineEndings("\n");
        const string open = "```csharp\n";
        var start = text.IndexOf(open, StringComparison.Ordinal) + open.Length;
        Assert.True(start >= open.Length, $"{markdown} has no csharp block");
        return text[start..text.IndexOf("```", start, StringComparison.Ordinal)];
    }
}
