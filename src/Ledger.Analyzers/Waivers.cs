using System.Collections.Concurrent;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>Finds <c>[DeterminismWaiver]</c>: on a member it waives that member's code (and the calls it
/// makes are not followed); on a type, every member of it and of its nested types; on a static field,
/// every use of that field.</summary>
internal sealed class Waivers
{
    public const string AttributeMetadataName = "Ledger.Kernel.DeterminismWaiverAttribute";

    private readonly INamedTypeSymbol? _attribute;
    private readonly ConcurrentDictionary<ISymbol, bool> _waived = new(SymbolEqualityComparer.Default);

    public Waivers(Compilation compilation)
    {
        _attribute = compilation.GetTypeByMetadataName(AttributeMetadataName);
    }

    public bool IsWaived(ISymbol symbol)
    {
        if (_attribute is null) return false;
        return _waived.GetOrAdd(symbol, s =>
        {
            for (var current = s; current is not null and not INamespaceSymbol; current = current.ContainingSymbol)
            {
                if (HasWaiver(current)) return true;
                if (current is IMethodSymbol { AssociatedSymbol: { } associated } && HasWaiver(associated)) return true;
            }

            return false;
        });
    }

    private bool HasWaiver(ISymbol symbol) =>
        symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _attribute));
}
