using Microsoft.CodeAnalysis;
using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0013/LDG0014: pragmas, SuppressMessage, NoWarn and severity settings cannot silence the lint.</summary>
public class SuppressionTests
{
    private const string ClockVerb = """
        public sealed class Stamp() : Verb<Args>("stamp", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse(DateTime.Now.Year > 2000 ? "late" : "early");
        }
        """;

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_pragma_that_disables_an_LDG_rule_is_reported() => Analyzer("""
        {|#0:#pragma warning disable LDG0001|}
        public sealed class Stamp() : Verb<Args>("stamp", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse(DateTime.Now.Year > 2000 ? "late" : "early");
        }
        """,
        Diagnostic(DiagnosticIds.SuppressedInSource).WithLocation(0).WithArguments("'#pragma warning disable'", "LDG0001"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_pragma_that_disables_every_warning_is_reported() => Analyzer("""
        {|#0:#pragma warning disable|}
        public sealed class Quiet() : Verb<Args>("quiet", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse("no");
        }
        """,
        Diagnostic(DiagnosticIds.SuppressedInSource).WithLocation(0).WithArguments("'#pragma warning disable'", "every warning, the determinism rules included"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task SuppressMessage_naming_an_LDG_rule_is_reported() => Analyzer("""
        public sealed class Open() : Verb<Args>("open", 1, Scope.Branch)
        {
            [{|#0:System.Diagnostics.CodeAnalysis.SuppressMessage("Determinism", "LDG0002:Randomness", Justification = "ids")|}]
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse(Guid.NewGuid().ToString());
        }
        """,
        Diagnostic(DiagnosticIds.SuppressedInSource).WithLocation(0).WithArguments("[SuppressMessageAttribute]", "LDG0002"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Pragmas_for_other_warnings_are_clean() => Analyzer("""
        #pragma warning disable CS0618
        public sealed class Quiet() : Verb<Args>("quiet", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse("no");
        }
        #pragma warning restore CS0618
        """);

    [Fact]
    [Trait("Risk", "D1")]
    public Task NoWarn_for_an_LDG_rule_is_reported() => Analyzer(ClockVerb,
        test => test.SolutionTransforms.Add((solution, project) =>
        {
            var options = solution.GetProject(project)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(project, options.WithSpecificDiagnosticOptions(
                options.SpecificDiagnosticOptions.SetItem(DiagnosticIds.WallClock, ReportDiagnostic.Suppress)));
        }),
        Diagnostic(DiagnosticIds.SuppressedByConfiguration).WithArguments("NoWarn or the project's rule settings", "LDG0001", "suppress"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task An_editorconfig_severity_that_turns_an_LDG_rule_down_is_reported() => Analyzer(ClockVerb,
        test => test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.LDG0001.severity = warning\n")),
        Diagnostic(DiagnosticIds.SuppressedByConfiguration).WithArguments(".editorconfig for Test0.cs", "LDG0001", "warn"),
        Diagnostic(DiagnosticIds.WallClock).WithSeverity(DiagnosticSeverity.Warning).WithSpan(14, 79, 14, 91)
            .WithArguments("'DateTime.Now' reads the wall clock", "Verb Stamp → Stamp.Execute → DateTime.Now"));
}
