using System.Runtime.CompilerServices;

namespace Ledger.Erasure.Tests;

/// <summary>Golden files: checked in, compared exactly, rewritten only when LEDGER_REGENERATE_GOLDEN=1.</summary>
internal static class Golden
{
    public static void Match(string name, string actual, [CallerFilePath] string source = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(source)!, "Golden", name);
        if (Environment.GetEnvironmentVariable("LEDGER_REGENERATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"golden file {path} is missing; run once with LEDGER_REGENERATE_GOLDEN=1 and review.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual.ReplaceLineEndings("\n"));
    }
}
