namespace Ledger.Tests;

/// <summary>Golden files: checked in, compared exactly, rewritten only when LEDGER_REGENERATE_GOLDEN=1.</summary>
internal static class Golden
{
    /// <summary>True when the run was asked to rewrite golden files instead of comparing them.</summary>
    public static bool Regenerating => Environment.GetEnvironmentVariable("LEDGER_REGENERATE_GOLDEN") == "1";

    /// <summary>The checked-in path of golden file <paramref name="name"/> of this test project.</summary>
    public static string PathOf(string name) => Path.Combine(RepositoryFiles.GoldenDirectory, name);

    /// <summary>Compares <paramref name="actual"/> with the checked-in file; regenerates on request.</summary>
    public static void Match(string name, string actual)
    {
        var path = PathOf(name);
        if (Regenerating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests once with LEDGER_REGENERATE_GOLDEN=1 and review the diff.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual.ReplaceLineEndings("\n"));
    }
}
