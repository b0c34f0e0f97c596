namespace Ledger.Testing.Tests;

/// <summary>docs/testing.md shows ShopDeterminismTests.cs whole, as it runs here (and, from the packed feed, in the
/// packaging tests): the doc cannot drift from code that compiles and passes.</summary>
public class DocSampleTests
{
    [Fact]
    public void Docs_testing_md_shows_exactly_the_sample_file_that_runs_here()
    {
        var here = RepositoryFiles.TestProject;
        var source = File.ReadAllText(Path.Combine(here, "ShopDeterminismTests.cs")).ReplaceLineEndings("\n");
        Assert.Equal(source.Trim(), Sample(Path.Combine(here, "..", "..", "docs", "testing.md")).Trim());
    }

    /// <summary>The first csharp block of docs/testing.md.</summary>
    internal static string Sample(string doc)
    {
        var text = File.ReadAllText(doc).ReplaceLineEndings("\n");
        var start = text.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        return text[start..text.IndexOf("```", start, StringComparison.Ordinal)];
    }
}
