using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ledger.Analyzers;

/// <summary>LDG0006: hash-based collections enumerate in an order that depends on hash codes (randomized
/// per process for strings) and on insertion and removal history. A value of such a type is followed
/// from where it appears to where its order would leak: a foreach, or a call that consumes the sequence
/// in order. Order-insensitive consumers (Count, Any, Contains, Sum of integers, ToDictionary …) and
/// ordering with a culture-free comparer end the flow; Where/Select/Distinct … carry it on.</summary>
internal sealed class UnorderedEnumeration
{
    private static readonly string[] UnorderedTypeNames =
    [
        "System.Collections.Generic.Dictionary`2", "System.Collections.Generic.HashSet`1",
        "System.Collections.Generic.IDictionary`2", "System.Collections.Generic.IReadOnlyDictionary`2",
        "System.Collections.Generic.ISet`1", "System.Collections.Generic.IReadOnlySet`1",
        "System.Collections.Generic.Dictionary`2+KeyCollection", "System.Collections.Generic.Dictionary`2+ValueCollection",
        "System.Collections.Concurrent.ConcurrentDictionary`2", "System.Collections.Concurrent.ConcurrentBag`1",
        "System.Collections.Immutable.ImmutableDictionary`2", "System.Collections.Immutable.ImmutableHashSet`1",
        "System.Collections.Immutable.IImmutableDictionary`2", "System.Collections.Immutable.IImmutableSet`1",
        "System.Collections.Frozen.FrozenDictionary`2", "System.Collections.Frozen.FrozenSet`1",
        "System.Collections.Hashtable", "System.Collections.IDictionary",
        "System.Collections.Specialized.HybridDictionary", "System.Collections.Specialized.StringDictionary",
    ];

    private static readonly string[] SortedTypeNames =
    [
        "System.Collections.Generic.SortedDictionary`2", "System.Collections.Generic.SortedSet`1",
        "System.Collections.Generic.SortedList`2", "System.Collections.SortedList",
        "System.Collections.Immutable.ImmutableSortedDictionary`2", "System.Collections.Immutable.ImmutableSortedSet`1",
        "System.Collections.Generic.SortedDictionary`2+KeyCollection", "System.Collections.Generic.SortedDictionary`2+ValueCollection",
    ];

    private static readonly string[] OrderingNames = ["OrderBy", "OrderByDescending", "Order", "OrderDescending"];

    private static readonly string[] InsensitiveNames =
    [
        "Count", "LongCount", "Any", "All", "Contains", "Min", "Max", "Sum", "Average", "Single", "SingleOrDefault",
        "ToDictionary", "ToHashSet",
    ];

    private static readonly string[] TransformNames =
    [
        "Where", "Select", "SelectMany", "Cast", "OfType", "Distinct", "DistinctBy", "Union", "UnionBy", "Intersect",
        "IntersectBy", "Except", "ExceptBy", "Concat", "Append", "Prepend", "AsEnumerable", "DefaultIfEmpty", "GroupBy",
        "Join", "GroupJoin", "Reverse",
    ];

    private static readonly string[] LeakingInstanceMethods = ["GetEnumerator", "CopyTo", "ToArray", "TryTake", "TryPeek"];

    private readonly HashSet<INamedTypeSymbol> _unordered = new(SymbolEqualityComparer.Default);
    private readonly HashSet<INamedTypeSymbol> _sorted = new(SymbolEqualityComparer.Default);
    private readonly HashSet<INamedTypeSymbol> _orderingFactories = new(SymbolEqualityComparer.Default);
    private readonly HashSet<INamedTypeSymbol> _insensitiveFactories = new(SymbolEqualityComparer.Default);
    private readonly INamedTypeSymbol? _enumerable;
    private readonly INamedTypeSymbol? _ienumerable;
    private readonly INamedTypeSymbol? _icomparerOfT;
    private readonly INamedTypeSymbol? _icomparer;
    private readonly INamedTypeSymbol? _half;

    public UnorderedEnumeration(Compilation compilation)
    {
        Resolve(compilation, _unordered, UnorderedTypeNames);
        Resolve(compilation, _sorted, SortedTypeNames);
        Resolve(compilation, _orderingFactories, "System.Collections.Immutable.ImmutableSortedDictionary", "System.Collections.Immutable.ImmutableSortedSet");
        Resolve(compilation, _insensitiveFactories,
            "System.Collections.Immutable.ImmutableDictionary", "System.Collections.Immutable.ImmutableHashSet",
            "System.Collections.Frozen.FrozenDictionary", "System.Collections.Frozen.FrozenSet");
        _enumerable = compilation.GetTypeByMetadataName("System.Linq.Enumerable");
        _ienumerable = compilation.GetTypeByMetadataName("System.Collections.IEnumerable");
        _icomparerOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IComparer`1");
        _icomparer = compilation.GetTypeByMetadataName("System.Collections.IComparer");
        _half = compilation.GetTypeByMetadataName("System.Half");
    }

    public bool IsUnorderedType(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named) return false;
        for (var t = named; t is not null; t = t.BaseType)
        {
            if (_unordered.Contains(t.OriginalDefinition)) return true;
            if (_sorted.Contains(t.OriginalDefinition)) return false;
        }

        return false;
    }

    private bool IsSortedType(ITypeSymbol? type)
    {
        for (var t = type as INamedTypeSymbol; t is not null; t = t.BaseType)
        {
            if (_sorted.Contains(t.OriginalDefinition)) return true;
        }

        return false;
    }

    /// <summary>True when <paramref name="operation"/> yields an unordered collection or its keys or values.</summary>
    public bool IsUnorderedSource(IOperation operation)
    {
        if (operation is IConversionOperation conversion && IsSortedType(conversion.Operand.WithoutConversions().Type)) return false;
        if (IsUnorderedType(operation.Type)) return true;
        return operation is IPropertyReferenceOperation { Property.Name: "Keys" or "Values", Instance: { } instance }
               && IsUnorderedSource(instance.WithoutConversions())
               && IsUnorderedType(instance.WithoutConversions().Type);
    }

    /// <summary>Where the order of <paramref name="source"/> leaks, as a finding at the source; null if it never does.</summary>
    public Finding? Check(IOperation source)
    {
        if (!IsUnorderedSource(source)) return null;
        var subject = source is IPropertyReferenceOperation keysOrValues
            ? SymbolNames.Subject(keysOrValues.Property)
            : SymbolNames.Type(source.Type!);
        var leak = FindLeak(source);
        return leak is null ? null : new Finding(Rules.UnorderedEnumeration, source.Syntax.GetLocation(), subject, leak);
    }

    private string? FindLeak(IOperation source)
    {
        var current = source;
        var asSequence = false;
        while (true)
        {
            switch (current.Parent)
            {
                case IConversionOperation conversion when conversion.Operand == current:
                    if (IsUnorderedType(conversion.Type) || !IsSequence(conversion.Type)) return null;
                    current = conversion;
                    asSequence = true;
                    continue;

                case IForEachLoopOperation loop when loop.Collection == current:
                    return "is enumerated in hash order by foreach";

                case IArgumentOperation argument:
                {
                    // A parameter declared as a hash collection is checked where it is used; a generic one
                    // (Serialize<T>(T value)) is not declared as anything, so the callee is judged here.
                    if (IsUnorderedType(argument.Parameter?.OriginalDefinition.Type)) return null;
                    var call = argument.Parent;
                    var method = call switch
                    {
                        IInvocationOperation invocation => invocation.TargetMethod,
                        IObjectCreationOperation creation => creation.Constructor,
                        _ => null,
                    };
                    if (method is null) return "is passed on in hash order";
                    switch (Classify(method))
                    {
                        case Consumer.Ordering:
                            return OrdersWithoutCulture(method, call is IInvocationOperation i ? i.Arguments : ((IObjectCreationOperation)call!).Arguments)
                                ? null
                                : $"is ordered by the current culture's comparer in '{SymbolNames.Subject(method)}'; pass StringComparer.Ordinal";
                        case Consumer.Insensitive:
                            return null;
                        case Consumer.Transform when call is IInvocationOperation:
                            current = call;
                            asSequence = true;
                            continue;
                        default:
                            return $"is consumed in hash order by '{SymbolNames.Subject(method)}'";
                    }
                }

                case IInvocationOperation invocation when invocation.Instance == current:
                    return LeakingInstanceMethods.Contains(invocation.TargetMethod.Name)
                        ? $"is consumed in hash order by '{SymbolNames.Subject(invocation.TargetMethod)}'"
                        : null;

                case ISpreadOperation:
                    return "is spread in hash order into a collection";

                default:
                    return asSequence ? "is used as a sequence in hash order" : null;
            }
        }
    }

    private enum Consumer
    {
        Other,
        Ordering,
        Insensitive,
        Transform,
    }

    private Consumer Classify(IMethodSymbol method)
    {
        var type = method.ContainingType.OriginalDefinition;
        if (_sorted.Contains(type) || _orderingFactories.Contains(type)) return Consumer.Ordering;

        // Building or comparing another hash collection does not reveal an order.
        if (_unordered.Contains(type) || _insensitiveFactories.Contains(type)) return Consumer.Insensitive;
        if (!SymbolEqualityComparer.Default.Equals(type, _enumerable)) return Consumer.Other;

        var name = method.Name;
        if (OrderingNames.Contains(name)) return Consumer.Ordering;
        if (InsensitiveNames.Contains(name))
        {
            // Floating-point sums depend on the order of addition.
            return name is "Sum" or "Average" && IsFloating(AggregatedType(method)) ? Consumer.Other : Consumer.Insensitive;
        }

        if (TransformNames.Contains(name))
        {
            // The index overloads of Where/Select/SelectMany hand the hash position to the lambda.
            var indexed = name is "Where" or "Select" or "SelectMany" && method.Parameters.Length == 2
                                                                     && method.Parameters[1].Type is INamedTypeSymbol { TypeArguments.Length: 3 } selector
                                                                     && selector.TypeArguments[1].SpecialType == SpecialType.System_Int32;
            return indexed ? Consumer.Other : Consumer.Transform;
        }

        return Consumer.Other;
    }

    /// <summary>True when the ordering has a comparer argument, or its key's default comparer is culture-free.</summary>
    private bool OrdersWithoutCulture(IMethodSymbol method, System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments)
    {
        if (arguments.Any(a => IsComparer(a.Parameter?.Type) && !a.IsOmittedOrNull())) return true;
        var withComparer = Overloads.WithExtraParameter(method, IsComparer);
        if (withComparer is not { } overload) return true;
        var comparer = overload.Overload.Parameters[overload.Index].Type as INamedTypeSymbol;
        return comparer is not { IsGenericType: true } || !CultureSensitivity.InvolvesString(comparer.TypeArguments[0]);
    }

    private bool IsComparer(ITypeSymbol? type) =>
        type is INamedTypeSymbol named
        && (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, _icomparerOfT) || SymbolEqualityComparer.Default.Equals(named, _icomparer));

    private bool IsSequence(ITypeSymbol? type) =>
        type is not null && (SymbolEqualityComparer.Default.Equals(type, _ienumerable) || type.AllInterfaces.Contains(_ienumerable!, SymbolEqualityComparer.Default));

    private static ITypeSymbol? AggregatedType(IMethodSymbol method)
    {
        var last = method.Parameters[method.Parameters.Length - 1].Type as INamedTypeSymbol;
        var element = last is { TypeKind: TypeKind.Delegate } selector ? selector.DelegateInvokeMethod?.ReturnType : last?.TypeArguments.FirstOrDefault();
        if (element is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable) element = nullable.TypeArguments[0];
        return element;
    }

    private bool IsFloating(ITypeSymbol? type) =>
        type is not null && (type.SpecialType is SpecialType.System_Single or SpecialType.System_Double
                             || SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _half));

    private static void Resolve(Compilation compilation, HashSet<INamedTypeSymbol> set, params string[] names)
    {
        foreach (var name in names)
        {
            if (compilation.GetTypeByMetadataName(name) is { } type) set.Add(type);
        }
    }
}
