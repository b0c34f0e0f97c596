using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ledger.Analyzers;

/// <summary>The determinism lint: reports, in code reachable from a verb (any class deriving from
/// <c>Ledger.Kernel.Verb</c>), every API or construct that could make two replicas fold the same op
/// differently. Reachability follows calls, constructors, property accessors, static initialization and
/// overrides within the compilation; each diagnostic names the chain from the verb.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DeterminismAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The metadata name of the verb base class.</summary>
    public const string VerbMetadataName = "Ledger.Kernel.Verb";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [.. Rules.ReachableRules];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();

        // Generated code that a verb calls is verb code too.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterCompilationStartAction(Start);
    }

    private static void Start(CompilationStartAnalysisContext context)
    {
        var compilation = context.Compilation;
        if (compilation.GetTypeByMetadataName(VerbMetadataName) is not { } verb) return;

        var verbContext = compilation.GetTypeByMetadataName("Ledger.Kernel.VerbContext");
        var verbOfArgs = compilation.GetTypeByMetadataName("Ledger.Kernel.Verb`1");
        var waivers = new Waivers(compilation);
        var verbs = new VerbTypes(verb, waivers);
        var floating = new FloatingPoint(compilation, verbContext);
        var collector = new FactCollector(compilation, floating, waivers, verbs);
        var declarations = new VerbDeclarations(verbs, floating, waivers, verbOfArgs);
        var sourceTypes = new ConcurrentBag<INamedTypeSymbol>();

        context.RegisterOperationAction(collector.Collect, FactCollector.Kinds);
        context.RegisterSymbolAction(collector.CollectAsyncMethod, SymbolKind.Method);
        context.RegisterSymbolAction(c =>
        {
            sourceTypes.Add((INamedTypeSymbol)c.Symbol);
            declarations.Analyze(c);
        }, SymbolKind.NamedType);
        context.RegisterCompilationEndAction(end =>
        {
            var graph = new CallGraph(collector, sourceTypes, compilation.Assembly);
            new Reachability(graph, collector, waivers, verbs).Report(end, sourceTypes);
        });
    }
}
