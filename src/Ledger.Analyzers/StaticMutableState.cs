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

        return IsMutableContainer(field.Type) && IsMutated(reference)
            ? new Finding(Rules.StaticMutableState, reference.Syntax.GetLocation(), SymbolNames.Subject(field),
                "is static state that this code changes")
            : null;
    }

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
