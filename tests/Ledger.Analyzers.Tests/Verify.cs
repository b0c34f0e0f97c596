using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Ledger.Analyzers.CodeFixes;

namespace Ledger.Analyzers.Tests;

/// <summary>Runs every Ledger analyzer over a source (so a negative case proves that none of them
/// reports) and compares diagnostics exactly: id, location, and message with the chain.</summary>
internal static class Verify
{
    /// <summary>What every test source starts with, so cases show only what they are about.</summary>
    public const string Prelude = """
        using System;
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Globalization;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Ledger.Kernel;

        public sealed record Args(string Key, long Amount);

        """;

    public static DiagnosticResult Diagnostic(string id) => new(id, DiagnosticSeverity.Error);

    /// <summary>A diagnostic at markup location <paramref name="location"/> whose message is
    /// "<paramref name="what"/> in verb code: <paramref name="chain"/>".</summary>
    public static DiagnosticResult Reachable(string id, int location, string what, string chain) =>
        Diagnostic(id).WithLocation(location).WithArguments(what, chain);

    public static Task Analyzer(string source, params DiagnosticResult[] expected) => Analyzer(source, _ => { }, expected);

    /// <summary>As <see cref="Analyzer(string, DiagnosticResult[])"/>, with project settings changed by <paramref name="configure"/>.</summary>
    public static Task Analyzer(string source, Action<CSharpAnalyzerTest<DeterminismAnalyzer, DefaultVerifier>> configure, params DiagnosticResult[] expected)
    {
        var test = new AllAnalyzersTest { TestCode = Prelude + source };
        test.ExpectedDiagnostics.AddRange(expected);
        configure(test);
        return test.RunAsync();
    }

    /// <summary>Applies the fixes and compares with <paramref name="fixedSource"/>. "Fix all" takes one pass per
    /// kind of fix, so <paramref name="kindsOfFix"/> says how many passes to expect.</summary>
    public static Task CodeFix(string source, string fixedSource, int kindsOfFix, params DiagnosticResult[] expected)
    {
        var test = new FixTest { TestCode = Prelude + source, FixedCode = Prelude + fixedSource, NumberOfFixAllIterations = kindsOfFix };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Proves that no fix is offered. Diagnostics found through calls are reported at compilation
    /// end, where the library cannot check that a fix stays local; the fix is not offered there anyway.</summary>
    public static Task NoCodeFix(string source, params DiagnosticResult[] expected)
    {
        var test = new FixTest { TestCode = Prelude + source, FixedCode = Prelude + source, CodeFixTestBehaviors = CodeFixTestBehaviors.SkipLocalDiagnosticCheck };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private static IEnumerable<DiagnosticAnalyzer> Analyzers() =>
        [new DeterminismAnalyzer(), new SuppressionAnalyzer(), new WaiverAnalyzer(), new PersonalDataAnalyzer()];

    private sealed class AllAnalyzersTest : CSharpAnalyzerTest<DeterminismAnalyzer, DefaultVerifier>
    {
        public AllAnalyzersTest()
        {
            ReferenceAssemblies = TestReferences.None;
            TestState.AdditionalReferences.AddRange(TestReferences.All);

            // The library's extra pass wraps the code in "#pragma warning disable LDGxxxx", which LDG0013 reports by design.
            TestBehaviors = TestBehaviors.SkipSuppressionCheck;
        }

        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => Analyzers();
    }

    private sealed class FixTest : CSharpCodeFixTest<DeterminismAnalyzer, DeterminismCodeFixProvider, DefaultVerifier>
    {
        public FixTest()
        {
            ReferenceAssemblies = TestReferences.None;
            TestState.AdditionalReferences.AddRange(TestReferences.All);
            FixedState.AdditionalReferences.AddRange(TestReferences.All);
            TestBehaviors = TestBehaviors.SkipSuppressionCheck;
        }

        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => Analyzers();
    }
}
