using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ledger.Analyzers;

/// <summary>LDG0008 on a verb's declaration: floating point in the args type it is generic over and in
/// the fields it keeps. Reported when the verb type is analyzed.</summary>
internal sealed class VerbDeclarations
{
    private readonly VerbTypes _verbs;
    private readonly FloatingPoint _floating;
    private readonly Waivers _waivers;
    private readonly INamedTypeSymbol? _verbOfArgs;

    public VerbDeclarations(VerbTypes verbs, FloatingPoint floating, Waivers waivers, INamedTypeSymbol? verbOfArgs)
    {
        _verbs = verbs;
        _floating = floating;
        _waivers = waivers;
        _verbOfArgs = verbOfArgs;
    }

    public void Analyze(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!_verbs.IsVerb(type) || _waivers.IsWaived(type)) return;
        foreach (var finding in Findings(type))
        {
            context.ReportDiagnostic(VerbTypes.Report(finding.Rule, finding, VerbTypes.Chain(type, finding.Subject)));
        }
    }

    /// <summary>Floating point in what the verb receives (its args type) and what it keeps (its fields).</summary>
    private IEnumerable<Finding> Findings(INamedTypeSymbol verb)
    {
        for (var type = verb.BaseType; type is not null; type = type.BaseType)
        {
            if (!SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _verbOfArgs)) continue;
            if (_floating.FloatingPath(type.TypeArguments[0]) is { } path)
            {
                yield return new Finding(Rules.FloatingPoint, BaseTypeLocation(verb), path, "is floating point in the verb's args");
            }

            break;
        }

        foreach (var member in verb.GetMembers())
        {
            var (type, location) = member switch
            {
                IFieldSymbol { IsImplicitlyDeclared: false } field => (field.Type, field.Locations.FirstOrDefault()),
                IPropertySymbol { IsIndexer: false } property when IsAutoProperty(property) => (property.Type, property.Locations.FirstOrDefault()),
                _ => (null, null),
            };
            if (type is null || location is null || _waivers.IsWaived(member) || _floating.FloatingPath(type) is not { } path) continue;
            yield return new Finding(Rules.FloatingPoint, location, $"{SymbolNames.Subject(member)} ({path})", "keeps floating point in the verb");
        }
    }

    private static bool IsAutoProperty(IPropertySymbol property) =>
        property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

    private static Location BaseTypeLocation(INamedTypeSymbol verb)
    {
        foreach (var reference in verb.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is TypeDeclarationSyntax { BaseList.Types: { Count: > 0 } types }) return types[0].GetLocation();
        }

        return verb.Locations.FirstOrDefault() ?? Location.None;
    }
}
