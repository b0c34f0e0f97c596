using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ledger.Analyzers;

/// <summary>LDG0010: static mutable state. It outlives the op: a verb that reads a static field another
/// op wrote folds differently on a replica that folded other ops first, or that restarted. Reported:
/// any use of a static field that is not readonly or const, any use of a settable static property, and
/// mutations of a static readonly collection, array or StringBuilder.</summary>
internal sealed class StaticMutableState
{
    private static readonly string[] MutatorNames =
    [
        "Add", "AddRange", "AddFirst", "AddLast", "AddBefore", "AddAfter", "Insert", "InsertRange", "Remove", "RemoveAt",
        "RemoveAll", "RemoveRange", "RemoveWhere", "RemoveFirst", "RemoveLast", "Clear", "TryAdd", "TryRemove", "TryUpdate",
        "AddOrUpdate", "GetOrAdd", "Enqueue", "Dequeue", "TryDequeue", "Push", "Pop", "TryPop", "TryTake", "Sort", "Reverse",
        "UnionWith", "IntersectWith", "ExceptWith", "SymmetricExceptWith", "Append", "AppendLine", "AppendFormat",
        "AppendJoin", "Replace", "Set", "SetValue", "Fill", "Resize",
    ];

    private readonly INamedTypeSymbol? _stringBuilder;
    private readonly INamedTypeSymbol? _icollection;

    public StaticMutableState(Compilation compilation)
    {
        _stringBuilder = compilation.GetTypeByMetadataName("System.Text.StringBuilder");
        _icollection = compilation.GetTypeByMetadataName("System.Collections.ICollection");
    }

    public Finding? Check(IFieldReferenceOperation reference)
    {
        var field = reference.Field;
        if (!field.IsStatic || field.IsConst) return null;
        if (!field.IsReadOnly)
        {
            return new Finding(Rules.StaticMutableState, reference.Syntax.GetLocation(), SymbolNames.Subject(field),
                "is a static field that is not readonly");
        }

        if (IsMutableContainer(field.Type) && IsMutated(reference))
        {
            return new Finding(Rules.StaticMutableState, reference.Syntax.GetLocation(), SymbolNames.Subject(field), "is static state that this code changes");
        }

        // A static readonly reference to an object of this compilation whose fields can change: any use of its
        // members reads or writes state that outlives the op.
        return IsMutableObject(field.Type) && IsReceiver(reference)
            ? new Finding(Rules.StaticMutableState, reference.Syntax.GetLocation(), SymbolNames.Subject(field), "is a static object whose fields can change")
            : null;
    }

    /// <summary>LDG0017: a field of the verb instance itself (one instance serves every op) that this code changes,
    /// or whose object's fields it changes.</summary>
    public Finding? CheckInstance(IFieldReferenceOperation reference, System.Func<INamedTypeSymbol, bool> isVerb)
    {
        var field = reference.Field;
        if (field.IsStatic || field.IsConst || reference.Instance is not IInstanceReferenceOperation || field.ContainingType is not { } owner || !isVerb(owner)) return null;
        if (reference.Parent is IAssignmentOperation assignment && assignment.Target == reference
            || reference.Parent is IIncrementOrDecrementOperation
            || reference.Parent is IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out })
        {
            return InMethodOf(reference, owner) ? new Finding(Rules.VerbInstanceState, reference.Syntax.GetLocation(), SymbolNames.Subject(field),
                "is a field of the verb instance that this code changes; one instance serves every op") : null;
        }

        return (IsMutableContainer(field.Type) && IsMutated(reference)) || (IsMutableObject(field.Type) && IsReceiver(reference))
            ? new Finding(Rules.VerbInstanceState, reference.Syntax.GetLocation(), SymbolNames.Subject(field),
                "is an object on the verb instance that this code changes; one instance serves every op")
            : null;
    }

    // Constructors build the instance: writing its fields there is initialization, not state.
    private static bool InMethodOf(IOperation operation, INamedTypeSymbol owner)
    {
        var semantic = operation.SemanticModel;
        var symbol = semantic?.GetEnclosingSymbol(operation.Syntax.SpanStart);
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } nested) symbol = nested.ContainingSymbol;
        return symbol is not IMethodSymbol { MethodKind: MethodKind.Constructor } and not IFieldSymbol and not IPropertySymbol;
    }

    /// <summary>A class of this compilation with instance fields that are not readonly (or settable auto-properties).</summary>
    private static bool IsMutableObject(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Class } named || named.Locations.All(l => !l.IsInSource)) return false;
        for (var t = named; t is not null && t.Locations.Any(l => l.IsInSource); t = t.BaseType)
        {
            if (t.GetMembers().OfType<IFieldSymbol>().Any(f => !f.IsStatic && !f.IsConst && !f.IsReadOnly)) return true;
        }

        return false;
    }

    private static bool IsReceiver(IOperation reference) => reference.Parent switch
    {
        IInvocationOperation invocation => invocation.Instance == reference,
        IPropertyReferenceOperation property => property.Instance == reference,
        IFieldReferenceOperation field => field.Instance == reference,
        _ => false,
    };

    public Finding? Check(IPropertyReferenceOperation reference)
    {
        var property = reference.Property;
        if (!property.IsStatic || property.SetMethod is null || property.IsIndexer) return null;
        return new Finding(Rules.StaticMutableState, reference.Syntax.GetLocation(), SymbolNames.Subject(property),
            "is a settable static property");
    }

    private bool IsMutableContainer(ITypeSymbol type) =>
        !IsImmutableCollection(type) && (type.TypeKind == TypeKind.Array
        || SymbolEqualityComparer.Default.Equals(type, _stringBuilder)
        || (type.TypeKind != TypeKind.Struct && type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, _icollection)
                                                                           || i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_ICollection_T)));

    // ImmutableList<T>.Empty.Add(…) returns a new list and leaves the static one as it was; only the builders mutate.
    private static bool IsImmutableCollection(ITypeSymbol type) =>
        type.ContainingNamespace?.ToDisplayString() is "System.Collections.Immutable" or "System.Collections.Frozen"
        && !type.Name.EndsWith("Builder", System.StringComparison.Ordinal);

    private static bool IsMutated(IOperation reference)
    {
        switch (reference.Parent)
        {
            case IArrayElementReferenceOperation element when element.ArrayReference == reference:
                return IsWritten(element);
            case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance == reference:
                return IsWritten(indexer);
            case IInvocationOperation invocation when invocation.Instance == reference:
                return MutatorNames.Contains(invocation.TargetMethod.Name);
            case IArgumentOperation { Parent: IInvocationOperation invocation } argument
                when invocation.TargetMethod.ContainingType.SpecialType == SpecialType.System_Array && argument.Parameter?.Ordinal == 0:
                return MutatorNames.Contains(invocation.TargetMethod.Name);
            default:
                return false;
        }
    }

    private static bool IsWritten(IOperation target) => target.Parent switch
    {
        IAssignmentOperation assignment => assignment.Target == target,
        IIncrementOrDecrementOperation => true,
        IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } => true,
        _ => false,
    };
}
