using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>The members of this compilation and what runs when one of them runs: the callees its code
/// names, plus what the language runs implicitly (field initializers for a constructor, static
/// initialization for a type) and, for a virtual or interface member declared here, every override or
/// implementation declared here.</summary>
internal sealed class CallGraph
{
    private readonly FactCollector _facts;
    private readonly Dictionary<ISymbol, List<ISymbol>> _implementations = new(SymbolEqualityComparer.Default);

    public CallGraph(FactCollector facts, IEnumerable<INamedTypeSymbol> sourceTypes, IAssemblySymbol assembly)
    {
        _facts = facts;
        foreach (var type in sourceTypes)
        {
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
            {
                for (var overridden = method.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
                {
                    if (Declared(overridden, assembly)) Implementation(overridden, method);
                }
            }

            foreach (var contract in type.AllInterfaces.Where(i => Declared(i, assembly)))
            {
                foreach (var member in contract.GetMembers().OfType<IMethodSymbol>())
                {
                    if (type.FindImplementationForInterfaceMember(member) is IMethodSymbol implementation) Implementation(member, implementation);
                }
            }
        }
    }

    /// <summary>One node per piece of code: partial, reduced and constructed forms map to their definition.</summary>
    public static ISymbol Normalize(ISymbol symbol)
    {
        while (symbol is IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction } nested && nested.ContainingSymbol is { } outer)
        {
            symbol = outer;
        }

        if (symbol is IMethodSymbol { ReducedFrom: { } reducedFrom }) symbol = reducedFrom;
        symbol = symbol.OriginalDefinition;
        if (symbol is IMethodSymbol { PartialImplementationPart: { } implementation }) symbol = implementation.OriginalDefinition;
        return symbol;
    }

    /// <summary>What runs when <paramref name="node"/> runs, in a stable order.</summary>
    public IEnumerable<ISymbol> Successors(ISymbol node)
    {
        var successors = new List<ISymbol>();
        if (_facts.FactsOf(node) is { } facts) successors.AddRange(facts.Callees());
        switch (node)
        {
            case IMethodSymbol { MethodKind: MethodKind.Constructor } constructor:
                successors.AddRange(Initialized(constructor.ContainingType, isStatic: false));
                successors.AddRange(Callbacks(constructor.ContainingType));
                if (constructor.ContainingType.BaseType is { } baseType) successors.AddRange(baseType.InstanceConstructors.Select(Normalize));
                break;
            case INamedTypeSymbol type:
                successors.AddRange(Initialized(type, isStatic: true));
                successors.AddRange(type.StaticConstructors.Select(Normalize));
                break;
        }

        if (_implementations.TryGetValue(node, out var implementations)) successors.AddRange(implementations);
        return successors.Distinct(SymbolEqualityComparer.Default)
            .OrderBy(s => Position(s).Path, System.StringComparer.Ordinal)
            .ThenBy(s => Position(s).Start)
            .ThenBy(SymbolNames.Node, System.StringComparer.Ordinal);
    }

    /// <summary>Where a node's code is, for a stable order: file, then offset.</summary>
    public static (string Path, int Start) Position(ISymbol symbol)
    {
        var location = symbol.Locations.FirstOrDefault(l => l.IsInSource);
        return location is null ? (string.Empty, 0) : (location.SourceTree!.FilePath, location.SourceSpan.Start);
    }

    /// <summary>An object handed to the framework is called back there: its overrides of framework members
    /// (ToString, Equals, CompareTo…) and its implementations of framework interfaces (IComparer, IEnumerable…).
    /// Constructing it makes them reachable, since whoever holds it may pass it on.</summary>
    private static IEnumerable<ISymbol> Callbacks(INamedTypeSymbol type)
    {
        var assembly = type.ContainingAssembly;
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (method.IsStatic || method.IsImplicitlyDeclared || method.DeclaringSyntaxReferences.Length == 0) continue;
            var root = method.OverriddenMethod;
            while (root?.OverriddenMethod is { } further) root = further;
            if (root is not null && !Declared(root, assembly)) yield return Normalize(method);
        }

        foreach (var contract in type.AllInterfaces.Where(i => !Declared(i, assembly)))
        {
            foreach (var member in contract.GetMembers().OfType<IMethodSymbol>())
            {
                if (type.FindImplementationForInterfaceMember(member) is IMethodSymbol implementation && Declared(implementation, assembly)
                    && implementation.DeclaringSyntaxReferences.Length > 0)
                {
                    yield return Normalize(implementation);
                }
            }
        }
    }

    private static IEnumerable<ISymbol> Initialized(INamedTypeSymbol type, bool isStatic) =>
        type.GetMembers().Where(m => m.IsStatic == isStatic && m is IFieldSymbol { IsConst: false } or IPropertySymbol);

    private void Implementation(ISymbol contract, IMethodSymbol implementation)
    {
        var key = Normalize(contract);
        if (!_implementations.TryGetValue(key, out var list)) _implementations[key] = list = [];
        list.Add(Normalize(implementation));
    }

    private static bool Declared(ISymbol symbol, IAssemblySymbol assembly) =>
        SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, assembly);
}
