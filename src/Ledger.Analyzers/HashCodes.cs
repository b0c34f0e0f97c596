using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ledger.Analyzers;

/// <summary>LDG0007: hash code values. String hash codes are randomized per process; other types'
/// are unspecified and change between runtime versions. Implementing GetHashCode (for a dictionary key)
/// is fine, so calls inside a GetHashCode override or an equality comparer's GetHashCode are not
/// reported; using the number anywhere else is.</summary>
internal sealed class HashCodes
{
    private readonly IMethodSymbol? _objectGetHashCode;
    private readonly INamedTypeSymbol? _hashCode;
    private readonly INamedTypeSymbol? _runtimeHelpers;
    private readonly INamedTypeSymbol? _equalityComparerOfT;
    private readonly INamedTypeSymbol? _equalityComparer;

    public HashCodes(Compilation compilation)
    {
        _objectGetHashCode = compilation.GetSpecialType(SpecialType.System_Object).GetMembers("GetHashCode").OfType<IMethodSymbol>().FirstOrDefault();
        _hashCode = compilation.GetTypeByMetadataName("System.HashCode");
        _runtimeHelpers = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.RuntimeHelpers");
        _equalityComparerOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IEqualityComparer`1");
        _equalityComparer = compilation.GetTypeByMetadataName("System.Collections.IEqualityComparer");
    }

    public Finding? Check(IInvocationOperation invocation, ISymbol containingMember)
    {
        var method = invocation.TargetMethod;
        if (!IsHashCodeMethod(method) || IsHashCodeImplementation(containingMember)) return null;
        return new Finding(Rules.HashCode, invocation.Syntax.GetLocation(), SymbolNames.Subject(method),
            "yields a hash code, which differs between processes and runtime versions");
    }

    private bool IsHashCodeMethod(IMethodSymbol method)
    {
        var type = method.ContainingType.OriginalDefinition;
        if (Same(type, _hashCode)) return true;
        if (method.Name == "GetHashCode" && (Same(type, _runtimeHelpers) || type.SpecialType == SpecialType.System_String)) return true;
        return OverridesObjectGetHashCode(method) || IsComparerGetHashCode(method);
    }

    /// <summary>True inside code whose job is to produce a hash code for a hash table.</summary>
    private bool IsHashCodeImplementation(ISymbol member) =>
        member is IMethodSymbol method && (OverridesObjectGetHashCode(method) || IsComparerGetHashCode(method));

    private bool OverridesObjectGetHashCode(IMethodSymbol method)
    {
        for (var m = method; m is not null; m = m.OverriddenMethod)
        {
            if (Same(m.OriginalDefinition, _objectGetHashCode)) return true;
        }

        return false;
    }

    private bool IsComparerGetHashCode(IMethodSymbol method)
    {
        if (method.Name != "GetHashCode" || method.Parameters.Length != 1) return false;
        var type = method.ContainingType;
        if (Same(type.OriginalDefinition, _equalityComparerOfT) || Same(type, _equalityComparer)) return true;
        foreach (var contract in type.AllInterfaces)
        {
            if (!Same(contract.OriginalDefinition, _equalityComparerOfT) && !Same(contract, _equalityComparer)) continue;
            foreach (var member in contract.GetMembers("GetHashCode"))
            {
                if (Same(type.FindImplementationForInterfaceMember(member), method)) return true;
            }
        }

        for (var m = method.OverriddenMethod; m is not null; m = m.OverriddenMethod)
        {
            if (IsComparerGetHashCode(m)) return true;
        }

        return false;
    }

    private static bool Same(ISymbol? a, ISymbol? b) => a is not null && b is not null && SymbolEqualityComparer.Default.Equals(a, b);
}
