namespace Ledger.Kernel.Tests;

/// <summary>The public API baseline is in place for every library package (the build enforces its content:
/// an undeclared change is error RS0016/RS0017 under -warnaserror in CI).</summary>
public class PublicApiBaselineTests
{
    public static TheoryData<string> Libraries => new() { "Ledger.Kernel", "Ledger.Signing", "Ledger.Erasure", "Ledger.Migration", "Ledger.Sync", "Ledger.Testing" };

    [Theory]
    [MemberData(nameof(Libraries))]
    [Trait("Risk", "C2")]
    [Trait("Risk", "G3")]
    public void Every_library_package_declares_its_public_api_in_a_baseline_the_build_checks(string package)
    {
        var folder = Path.Combine(RepositoryFiles.Root, "src", package);
        var shipped = File.ReadAllLines(Path.Combine(folder, "PublicAPI.Shipped.txt"));
        var unshipped = File.ReadAllLines(Path.Combine(folder, "PublicAPI.Unshipped.txt"));
        Assert.Equal("#nullable enable", shipped[0]);
        Assert.Equal("#nullable enable", unshipped[0]);
        var declared = shipped.Skip(1).Concat(unshipped.Skip(1)).Where(l => l.Length > 0).ToArray();
        Assert.Contains(declared, l => l.Contains(package + ".", StringComparison.Ordinal));
        Assert.Equal(declared.Length, declared.Distinct(StringComparer.Ordinal).Count());

        // Every library project gets the analyzer: the rule sits in Directory.Build.targets, keyed on packable non-exe projects.
        var targets = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "Directory.Build.targets"));
        Assert.Contains("Microsoft.CodeAnalysis.PublicApiAnalyzers", targets, StringComparison.Ordinal);
        var project = File.ReadAllText(Path.Combine(folder, package + ".csproj"));
        Assert.DoesNotContain("<OutputType>Exe</OutputType>", project, StringComparison.Ordinal);
        Assert.DoesNotContain("<IsPackable>false</IsPackable>", project, StringComparison.Ordinal);
    }
}
