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
        foreach (var finding in Findings(type).Concat(InstanceState(type)))
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

    /// <summary>LDG0017 on the declaration: what the verb instance keeps (fields and settable properties) and
    /// what it is constructed with. One instance serves every op of a manifest.</summary>
    private IEnumerable<Finding> InstanceState(INamedTypeSymbol verb)
    {
        foreach (var member in verb.GetMembers())
        {
            if (member.IsStatic || member.IsImplicitlyDeclared || _waivers.IsWaived(member)) continue;
            switch (member)
            {
                case IFieldSymbol { IsConst: false, IsReadOnly: false } field:
                    yield return new Finding(Rules.VerbInstanceState, field.Locations.FirstOrDefault() ?? Location.None, SymbolNames.Subject(field),
                        "is a field the verb instance can change; one instance serves every op, so it is state shared between ops");
                    break;
                case IPropertySymbol { IsIndexer: false, SetMethod: { IsInitOnly: false } } property when IsAutoProperty(property):
                    yield return new Finding(Rules.VerbInstanceState, property.Locations.FirstOrDefault() ?? Location.None, SymbolNames.Subject(property),
                        "is a settable property of the verb instance; one instance serves every op, so it is state shared between ops");
                    break;
                case IPropertySymbol { IsIndexer: false } property when IsAutoProperty(property) && !IsConstant(property.Type, 0):
                    yield return new Finding(Rules.VerbInstanceState, property.Locations.FirstOrDefault() ?? Location.None, SymbolNames.Subject(property),
                        $"hands the verb a {SymbolNames.Type(property.Type)} when it is built; a verb is built only with constants (numbers, strings, enums, table handles)");
                    break;
                case IFieldSymbol { IsConst: false } field when !IsConstant(field.Type, 0) && !IsOwnedCollection(field):
                    yield return new Finding(Rules.VerbInstanceState, field.Locations.FirstOrDefault() ?? Location.None, SymbolNames.Subject(field),
                        $"holds a {SymbolNames.Type(field.Type)} on the verb instance; a verb is built only with constants (numbers, strings, enums, table handles)");
                    break;
            }
        }

        foreach (var constructor in verb.InstanceConstructors)
        {
            if (_waivers.IsWaived(constructor)) continue;
            foreach (var parameter in constructor.Parameters)
            {
                if (IsConstant(parameter.Type, 0)) continue;
                yield return new Finding(Rules.VerbInstanceState, parameter.Locations.FirstOrDefault() ?? Location.None,
                    $"{parameter.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)} {parameter.Name}",
                    "is a dependency handed to the verb's constructor, whose code the lint cannot see; a verb is constructed only with constants (numbers, strings, enums, table handles) and reads everything else from the op");
            }
        }
    }

    // A readonly field the verb fills itself (a lookup table built in the constructor) is reported where it is
    // changed in verb code (LDG0017 there), not for existing.
    private static bool IsOwnedCollection(IFieldSymbol field) => field.IsReadOnly && field.Type.TypeKind is TypeKind.Class or TypeKind.Array
        && field.Type is not { TypeKind: TypeKind.Delegate or TypeKind.Interface } && !field.Type.IsAbstract
        && field.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is VariableDeclaratorSyntax { Initializer: not null });

    /// <summary>Values that carry no behaviour: numbers, text, enums, Ledger.Kernel's declarations (tables),
    /// immutable arrays of them, and readonly structs or records made only of them.</summary>
    private static bool IsConstant(ITypeSymbol type, int depth)
    {
        if (depth > 4) return false;
        if (type.TypeKind == TypeKind.Enum) return true;
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_SByte or SpecialType.System_Byte
                or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
                or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Decimal or SpecialType.System_String:
                return true;
        }

        if (type is not INamedTypeSymbol named || type.TypeKind is TypeKind.Delegate or TypeKind.Interface || type.IsAbstract) return false;
        var ns = named.ContainingNamespace?.ToDisplayString();
        if (ns == "System" && named.Name is "DateTime" or "DateTimeOffset" or "TimeSpan" or "DateOnly" or "TimeOnly" or "Guid" or "Int128" or "UInt128")
        {
            return true;
        }

        if (ns == "Ledger.Kernel") return named.Name != "VerbContext";
        if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T) return IsConstant(named.TypeArguments[0], depth + 1);
        if (ns == "System.Collections.Immutable" && named.Name is "ImmutableArray" or "ImmutableList" or "ImmutableDictionary" or "ImmutableSortedDictionary" or "ImmutableSortedSet" or "ImmutableHashSet")
        {
            return named.TypeArguments.All(t => IsConstant(t, depth + 1));
        }

        if (!(named.IsRecord || (named.IsValueType && named.IsReadOnly)) || named.Locations.All(l => !l.IsInSource)) return false;
        return named.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst)
            .All(f => f.IsReadOnly && IsConstant(f.Type, depth + 1));
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
