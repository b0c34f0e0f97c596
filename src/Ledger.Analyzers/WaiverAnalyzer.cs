using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ledger.Analyzers;

/// <summary>LDG0012: a <c>[DeterminismWaiver]</c> must say why the waived code cannot split books.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WaiverAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Rules.WaiverWithoutReason];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(Waivers.AttributeMetadataName) is not { } waiver) return;
            start.RegisterSymbolAction(c => Analyze(c, waiver),
                SymbolKind.NamedType, SymbolKind.Method, SymbolKind.Field, SymbolKind.Property, SymbolKind.Event);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol waiver)
    {
        foreach (var attribute in context.Symbol.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, waiver)) continue;
            var reason = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
            if (!string.IsNullOrWhiteSpace(reason)) continue;
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? context.Symbol.Locations[0];
            context.ReportDiagnostic(Diagnostic.Create(Rules.WaiverWithoutReason, location, SymbolNames.Subject(context.Symbol)));
        }
    }
}
