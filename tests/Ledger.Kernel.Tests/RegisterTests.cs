using System.Text.RegularExpressions;

namespace Ledger.Kernel.Tests;

/// <summary>docs/register.md must name every witness: each test tagged with a risk row appears in it.</summary>
public partial class RegisterTests
{
    [Fact]
    public void Every_test_tagged_with_a_risk_row_is_listed_in_the_register()
    {
        var repo = Path.GetFullPath(Path.Combine(Here(), "..", ".."));
        var register = File.ReadAllText(Path.Combine(repo, "docs", "register.md"));
        var missing = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repo, "tests"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            string? type = null;
            var tagged = false;
            foreach (var line in File.ReadLines(file))
            {
                var declared = TypeDeclaration().Match(line);
                if (declared.Success) type = declared.Groups[1].Value;
                if (RiskTrait().IsMatch(line)) tagged = true;
                var method = TestMethod().Match(line);
                if (method.Success)
                {
                    var name = $"{type}.{method.Groups[1].Value}";
                    if (tagged && !register.Contains(name, StringComparison.Ordinal)) missing.Add(name);
                    tagged = false;
                }
            }
        }

        Assert.True(missing.Count == 0, "docs/register.md does not list these witnesses:\n" + string.Join("\n", missing));
    }

    private static string Here() => RepositoryFiles.TestProject;

    [GeneratedRegex(@"^(?:public |internal )?(?:sealed |abstract |static |partial )*(?:class|record) (\w+)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"Trait\(""Risk"", ""[A-Z][0-9]?""\)")]
    private static partial Regex RiskTrait();

    [GeneratedRegex(@"public (?:async )?(?:Task|void|ValueTask) (\w+)\(")]
    private static partial Regex TestMethod();
}
