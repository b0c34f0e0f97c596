using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>Finds the sibling overload a call should have used: the same parameters plus one more
/// (a format provider, a comparison, a comparer). This is how "the invariant/ordinal overload exists"
/// is decided from symbols, for every type, without a list of method names.</summary>
internal static class Overloads
{
    public static (IMethodSymbol Overload, int Index)? WithExtraParameter(IMethodSymbol method, Func<ITypeSymbol, bool> isExtra)
    {
        IEnumerable<IMethodSymbol> candidates = method.MethodKind == MethodKind.Constructor
            ? method.ContainingType.InstanceConstructors
            : method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>();
        foreach (var declared in candidates)
        {
            if (declared.IsStatic != method.IsStatic || declared.Parameters.Length != method.Parameters.Length + 1) continue;
            var candidate = declared;
            if (declared.IsGenericMethod || method.IsGenericMethod)
            {
                if (declared.Arity != method.Arity) continue;
                candidate = declared.Construct(method.TypeArguments.ToArray());
            }

            for (var i = 0; i < candidate.Parameters.Length; i++)
            {
                if (isExtra(candidate.Parameters[i].Type) && SameParametersSkipping(method, candidate, i)) return (candidate, i);
            }
        }

        return null;
    }

    private static bool SameParametersSkipping(IMethodSymbol method, IMethodSymbol candidate, int skipped)
    {
        for (int j = 0, k = 0; j < method.Parameters.Length; j++, k++)
        {
            if (k == skipped) k++;
            var mine = method.Parameters[j];
            var theirs = candidate.Parameters[k];
            if (mine.RefKind != theirs.RefKind || !SymbolEqualityComparer.Default.Equals(mine.Type, theirs.Type)) return false;
        }

        return true;
    }
}
