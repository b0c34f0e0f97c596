using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ledger.Analyzers;

/// <summary>LDG0008, the state half: float, double and Half in what a verb keeps (its fields), what it
/// receives (its args type) and what it writes through the VerbContext. IEEE arithmetic is exact and
/// portable, but values that went through transcendental functions, parsing or formatting differ in the
/// last bits between platforms, and a state hash is over every bit. (The transcendental calls themselves
/// are in <see cref="ForbiddenApis"/>.)</summary>
internal sealed class FloatingPoint
{
    private readonly INamedTypeSymbol? _half;
    private readonly HashSet<IMethodSymbol> _writes = new(SymbolEqualityComparer.Default);

    public FloatingPoint(Compilation compilation, INamedTypeSymbol? verbContext)
    {
        _half = compilation.GetTypeByMetadataName("System.Half");
        if (verbContext is null) return;
        foreach (var name in new[] { "Put", "SetClaim", "Correct" })
        {
            foreach (var method in verbContext.GetMembers(name).OfType<IMethodSymbol>())
            {
                if (method.IsGenericMethod) _writes.Add(method);
            }
        }
    }

    /// <summary>A write of a value whose type holds floating point, through a VerbContext.</summary>
    public Finding? Check(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (!method.IsGenericMethod || !_writes.Contains(method.OriginalDefinition)) return null;
        if (FloatingPath(method.TypeArguments[0]) is not { } path) return null;
        var value = invocation.Arguments.LastOrDefault();
        return new Finding(Rules.FloatingPoint, (value ?? (IOperation)invocation).Syntax.GetLocation(), SymbolNames.Subject(method),
            $"writes floating point into state ({path})");
    }

    /// <summary>Where floating point sits inside <paramref name="type"/>, as <c>SellArgs.Price (double)</c>; null if nowhere.</summary>
    public string? FloatingPath(ITypeSymbol type) => FloatingPath(type, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default));

    public bool IsFloating(ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_Single or SpecialType.System_Double
        || SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _half);

    private string? FloatingPath(ITypeSymbol type, HashSet<ITypeSymbol> visited)
    {
        if (IsFloating(type)) return SymbolNames.Type(type);
        if (!visited.Add(type)) return null;
        switch (type)
        {
            case IArrayTypeSymbol array:
                return FloatingPath(array.ElementType, visited);
            case INamedTypeSymbol named:
                foreach (var argument in named.TypeArguments)
                {
                    if (FloatingPath(argument, visited) is { } inArgument) return inArgument;
                }

                // Only types of this compilation are opened: their members are the app's data.
                if (!named.Locations.Any(l => l.IsInSource)) return null;
                foreach (var member in named.GetMembers())
                {
                    var memberType = member switch
                    {
                        IFieldSymbol { IsStatic: false, IsImplicitlyDeclared: false } field => field.Type,
                        IPropertySymbol { IsStatic: false, IsIndexer: false } property => property.Type,
                        _ => null,
                    };
                    if (memberType is null || FloatingPath(memberType, visited) is not { } inner) continue;
                    return IsFloating(memberType)
                        ? $"{SymbolNames.Type(named)}.{member.Name} ({inner})"
                        : $"{SymbolNames.Type(named)}.{member.Name} → {inner}";
                }

                return null;
            default:
                return null;
        }
    }
}
