using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ledger.Analyzers;

/// <summary>LDG0016: a member marked <c>[PersonalData]</c> (<c>Ledger.Kernel.PersonalDataAttribute</c>) must be a
/// sealed field (<c>Ledger.Erasure.Sealed&lt;T&gt;</c>): plaintext that reaches the immutable log can never be erased.
/// Checked on every property, field and parameter of the compilation, verb code or not — an args or row type is
/// data, whoever builds it.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PersonalDataAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The metadata name of the attribute.</summary>
    public const string AttributeMetadataName = "Ledger.Kernel.PersonalDataAttribute";

    /// <summary>The metadata name of the sealed-field type.</summary>
    public const string SealedMetadataName = "Ledger.Erasure.Sealed`1";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Rules.PersonalDataInClear];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(AttributeMetadataName) is not { } attribute) return;
            var sealedType = start.Compilation.GetTypeByMetadataName(SealedMetadataName);
            start.RegisterSymbolAction(c => Analyze(c, attribute, sealedType), SymbolKind.Property, SymbolKind.Field, SymbolKind.Method);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attribute, INamedTypeSymbol? sealedType)
    {
        switch (context.Symbol)
        {
            case IPropertySymbol property:
                Check(context, property, property.Type, attribute, sealedType);
                break;
            case IFieldSymbol { AssociatedSymbol: null } field:
                Check(context, field, field.Type, attribute, sealedType);
                break;
            case IMethodSymbol method:
                foreach (var parameter in method.Parameters) Check(context, parameter, parameter.Type, attribute, sealedType);
                break;
        }
    }

    private static void Check(SymbolAnalysisContext context, ISymbol member, ITypeSymbol type, INamedTypeSymbol attribute, INamedTypeSymbol? sealedType)
    {
        foreach (var applied in member.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(applied.AttributeClass, attribute)) continue;
            if (sealedType is not null && type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, sealedType)) return;
            var location = applied.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? member.Locations[0];
            context.ReportDiagnostic(Diagnostic.Create(Rules.PersonalDataInClear, location, SymbolNames.Subject(member), SymbolNames.Type(type)));
            return;
        }
    }
}
