using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ledger.Analyzers;

/// <summary>LDG0013 and LDG0014: the determinism rules are waived only by <c>[DeterminismWaiver]</c>,
/// which carries a reason a reviewer can read. A <c>#pragma warning disable</c> or
/// <c>[SuppressMessage]</c> naming an LDG rule (or a pragma that disables every warning), and NoWarn or
/// severity settings that turn one down, are themselves errors.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SuppressionAnalyzer : DiagnosticAnalyzer
{
    private static readonly string[] SuppressionAttributes =
    [
        "System.Diagnostics.CodeAnalysis.SuppressMessageAttribute",
        "System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessageAttribute",
    ];

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [Rules.SuppressedInSource, Rules.SuppressedByConfiguration];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();

        // Generators routinely open their output with a bare "#pragma warning disable"; that is theirs.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSyntaxTreeAction(AnalyzePragmas);
        context.RegisterCompilationStartAction(start =>
        {
            var attributes = SuppressionAttributes.Select(start.Compilation.GetTypeByMetadataName).Where(t => t is not null).ToImmutableArray();
            start.RegisterSyntaxNodeAction(c => AnalyzeAttribute(c, attributes!), SyntaxKind.Attribute);
            start.RegisterCompilationEndAction(AnalyzeConfiguration);
        });
    }

    private static void AnalyzePragmas(SyntaxTreeAnalysisContext context)
    {
        var root = context.Tree.GetRoot(context.CancellationToken);
        foreach (var pragma in root.DescendantNodes(descendIntoTrivia: true).OfType<PragmaWarningDirectiveTriviaSyntax>())
        {
            if (!pragma.DisableOrRestoreKeyword.IsKind(SyntaxKind.DisableKeyword)) continue;
            if (pragma.ErrorCodes.Count == 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rules.SuppressedInSource, pragma.GetLocation(),
                    "'#pragma warning disable'", "every warning, the determinism rules included"));
                continue;
            }

            foreach (var code in pragma.ErrorCodes)
            {
                if (code is IdentifierNameSyntax { Identifier.ValueText: var id } && IsDeterminismRule(id))
                {
                    context.ReportDiagnostic(Diagnostic.Create(Rules.SuppressedInSource, pragma.GetLocation(),
                        "'#pragma warning disable'", id));
                }
            }
        }
    }

    private static void AnalyzeAttribute(SyntaxNodeAnalysisContext context, ImmutableArray<INamedTypeSymbol> suppressions)
    {
        var attribute = (AttributeSyntax)context.Node;
        if (context.SemanticModel.GetSymbolInfo(attribute, context.CancellationToken).Symbol is not IMethodSymbol constructor) return;
        if (!suppressions.Contains(constructor.ContainingType, SymbolEqualityComparer.Default)) return;
        var arguments = attribute.ArgumentList?.Arguments;
        if (arguments is not { Count: >= 2 } list) return;
        if (context.SemanticModel.GetConstantValue(list[1].Expression, context.CancellationToken) is not { HasValue: true, Value: string checkId }) return;
        var id = checkId.Split(':')[0].Trim();
        if (IsDeterminismRule(id))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.SuppressedInSource, attribute.GetLocation(), $"[{constructor.ContainingType.Name}]", id));
        }
    }

    private static void AnalyzeConfiguration(CompilationAnalysisContext context)
    {
        var options = context.Compilation.Options;
        foreach (var id in DiagnosticIds.All)
        {
            if (options.SpecificDiagnosticOptions.TryGetValue(id, out var project) && TurnsDown(project))
            {
                Report(context, "NoWarn or the project's rule settings", id, project);
            }

            if (options.SyntaxTreeOptionsProvider is not { } provider) continue;
            if (provider.TryGetGlobalDiagnosticValue(id, context.CancellationToken, out var global) && TurnsDown(global))
            {
                Report(context, "A global analyzer config", id, global);
            }

            foreach (var tree in context.Compilation.SyntaxTrees)
            {
                if (provider.TryGetDiagnosticValue(tree, id, context.CancellationToken, out var local) && TurnsDown(local))
                {
                    Report(context, $".editorconfig for {System.IO.Path.GetFileName(tree.FilePath)}", id, local);
                    break;
                }
            }
        }
    }

    private static bool TurnsDown(ReportDiagnostic severity) =>
        severity is ReportDiagnostic.Suppress or ReportDiagnostic.Hidden or ReportDiagnostic.Info or ReportDiagnostic.Warn;

    private static void Report(CompilationAnalysisContext context, string where, string id, ReportDiagnostic severity) =>
        context.ReportDiagnostic(Diagnostic.Create(Rules.SuppressedByConfiguration, Location.None, where, id, severity.ToString().ToLowerInvariant()));

    private static bool IsDeterminismRule(string id) => DiagnosticIds.All.Contains(id, StringComparer.OrdinalIgnoreCase);
}
