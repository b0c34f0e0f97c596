// The example docs/testing.md shows: how an app team puts its own verbs under the determinism gate.
using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Testing.Tests;

public class AppTeamExample
{
    // EXAMPLE-BEGIN
    // 1. Describe the logs: your manifest, and a generator of arguments for each verb.
    private static readonly LogSpec Spec = new(TestManifest.V1,
        VerbCase.Of(TestManifest.PostSale, Gen.Choose(1, 500).Select(c => new SaleArgs("inv", "cash", c)), weight: 3),
        VerbCase.Of(TestManifest.MoveStock, Gen.Choose(-5, 5).Select(q => new AmountArgs("sku-1", q))),
        VerbCase.Of(TestManifest.TakeUnit, Gen.Constant(new UnitsArgs(1, "order"))),
        VerbCase.Of(TestManifest.StockPool, Gen.Constant(new UnitsArgs(1, "restock"))))
    {
        Authors = 3,              // three devices, each with its own branch
        MaxOps = 80,
    };

    // 2. One property: replay equals live, and every legal reordering reaches one state hash.
    [Fact]
    [Trait("Risk", "D1")]
    public void Our_verbs_are_deterministic_under_every_legal_order() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300),
            ReplayAssert.EveryLegalOrderGivesOneStateHash(TestManifest.NewKernel, Spec, ordersPerLog: 4));
    // EXAMPLE-END
}

public class AppTeamExampleDocTests
{
    [Fact]
    public void Docs_testing_md_shows_exactly_the_example_that_runs_here()
    {
        var here = RepositoryFiles.TestProject;
        var source = File.ReadAllText(Path.Combine(here, "AppTeamExample.cs")).ReplaceLineEndings("\n");
        var begin = source.IndexOf("    // EXAMPLE-BEGIN\n", StringComparison.Ordinal) + "    // EXAMPLE-BEGIN\n".Length;
        var end = source.IndexOf("    // EXAMPLE-END", StringComparison.Ordinal);
        var region = string.Join("\n", source[begin..end].TrimEnd().Split('\n').Select(l => l.StartsWith("    ", StringComparison.Ordinal) ? l[4..] : l));
        var doc = File.ReadAllText(Path.Combine(here, "..", "..", "docs", "testing.md")).ReplaceLineEndings("\n");
        var start = doc.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        Assert.Equal(region.Trim(), doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)].Trim());
    }

}
