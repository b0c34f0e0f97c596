using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
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

    /// <summary>A <c>stackalloc</c> without an initializer under <c>[SkipLocalsInit]</c> holds whatever the stack held
    /// before: reading it reads another call's leftovers, which differ between runs.</summary>
    private static void UninitializedStackMemory(SyntaxNodeAnalysisContext context, FactCollector collector)
    {
        var initialized = context.Node switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.StackAllocArrayCreationExpressionSyntax explicitSize => explicitSize.Initializer is not null,
            _ => true,
        };
        if (initialized || context.ContainingSymbol is not { } owner || !SkipsLocalsInit(owner)) return;
        collector.Record(owner, new Finding(Rules.Environment, context.Node.GetLocation(), "stackalloc under [SkipLocalsInit]",
            "reads uninitialized stack memory, which holds what earlier calls left there"), context.ReportDiagnostic);
    }

    private static bool SkipsLocalsInit(ISymbol symbol)
    {
        for (var s = symbol; s is not null; s = s.ContainingSymbol)
        {
            if (s.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.SkipLocalsInitAttribute")) return true;
            if (s is IModuleSymbol or IAssemblySymbol) break;
        }

        return symbol.ContainingModule?.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.SkipLocalsInitAttribute") == true
               || symbol.ContainingAssembly?.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.SkipLocalsInitAttribute") == true;
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
        context.RegisterSyntaxNodeAction(c => UninitializedStackMemory(c, collector),
            Microsoft.CodeAnalysis.CSharp.SyntaxKind.StackAllocArrayCreationExpression,
            Microsoft.CodeAnalysis.CSharp.SyntaxKind.ImplicitStackAllocArrayCreationExpression);
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
