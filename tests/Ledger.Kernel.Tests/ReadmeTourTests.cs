namespace Ledger.Kernel.Tests;

public class ReadmeTourTests
{
    [Fact]
    public void The_readme_tour_is_the_code_that_compiles_here()
    {
        var tour = Region(File.ReadAllText(Path.Combine(Here(), "ReadmeTour.cs")));
        var readme = File.ReadAllText(Path.Combine(Here(), "..", "..", "README.md")).ReplaceLineEndings("\n");
        const string open = "```csharp\n";
        var start = readme.IndexOf(open, StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no ```csharp block");
        start += open.Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        Assert.Equal(tour.Trim(), readme[start..end].Trim());
    }

    [Fact]
    public void The_readme_tour_runs_and_its_checkpoint_restores_the_same_state()
    {
        var (live, restored) = global::Tour.Run();
        Assert.Equal(live, restored);
    }

    private static string Region(string source)
    {
        source = source.ReplaceLineEndings("\n");
        var begin = source.IndexOf("// README-TOUR-BEGIN\n", StringComparison.Ordinal) + "// README-TOUR-BEGIN\n".Length;
        var end = source.IndexOf("// README-TOUR-END", StringComparison.Ordinal);
        return source[begin..end];
    }

    private static string Here() => RepositoryFiles.TestProject;
}
