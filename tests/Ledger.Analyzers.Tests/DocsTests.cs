using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ledger.Analyzers.Tests;

/// <summary>docs/analyzers.md cannot drift from the analyzer: every rule has a section, and every
/// example in it is compiled and analyzed here.</summary>
public partial class DocsTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "analyzers.md")).ReplaceLineEndings("\n");

    public static TheoryData<string, string, string> Examples()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (rule, kind, code) in Blocks().Where(b => b.Kind is "bad" or "good")) data.Add(rule, kind, code);
        return data;
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void Every_rule_has_a_section_and_every_code_rule_a_bad_and_a_good_example()
    {
        var blocks = Blocks().ToList();
        foreach (var id in DiagnosticIds.All)
        {
            Assert.Contains($"\n## {id} — ", Doc, StringComparison.Ordinal);
            if (id == DiagnosticIds.SuppressedByConfiguration) continue;
            Assert.Contains(blocks, b => b.Rule == id && b.Kind == "bad");
            Assert.Contains(blocks, b => b.Rule == id && b.Kind == "good");
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    [Trait("Risk", "D1")]
    public async Task A_bad_example_raises_its_rule_and_a_good_example_raises_none(string rule, string kind, string code)
    {
        var prelude = Assert.Single(Blocks(), b => b.Kind == "prelude").Code;
        var tree = CSharpSyntaxTree.ParseText(prelude + "\n" + code, new CSharpParseOptions(LanguageVersion.Latest), path: "Example.cs");
        var compilation = CSharpCompilation.Create("Example", [tree], TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        ImmutableArray<DiagnosticAnalyzer> analyzers = [new DeterminismAnalyzer(), new SuppressionAnalyzer(), new WaiverAnalyzer(), new PersonalDataAnalyzer()];
        var found = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        var ids = found.Select(d => d.Id).ToList();
        if (kind == "bad")
        {
            Assert.Contains(rule, ids);
        }
        else
        {
            Assert.Empty(found);
        }
    }

    private static IEnumerable<(string Rule, string Kind, string Code)> Blocks()
    {
        foreach (Match block in CodeBlock().Matches(Doc))
        {
            var heading = RuleHeading().Matches(Doc[..block.Index]).LastOrDefault();
            yield return (heading?.Groups[1].Value ?? "", block.Groups[1].Value, block.Groups[2].Value);
        }
    }

    [GeneratedRegex("```csharp\n// (bad|good|prelude)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex("\n## (LDG\\d{4}) ")]
    private static partial Regex RuleHeading();
}
