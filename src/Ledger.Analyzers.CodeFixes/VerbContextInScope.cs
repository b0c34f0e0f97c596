using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers.CodeFixes;

/// <summary>The VerbContext a fix can use at a position: a parameter or local of that type in scope.
/// Without one there is no op to take the time or an id from, and no fix is offered.</summary>
internal static class VerbContextInScope
{
    public static string? Find(SemanticModel model, int position, CancellationToken cancellationToken)
    {
        var verbContext = model.Compilation.GetTypeByMetadataName("Ledger.Kernel.VerbContext");
        if (verbContext is null) return null;
        cancellationToken.ThrowIfCancellationRequested();
        return model.LookupSymbols(position)
            .Where(s => s is IParameterSymbol or ILocalSymbol)
            .Where(s => SymbolEqualityComparer.Default.Equals(s is IParameterSymbol p ? p.Type : ((ILocalSymbol)s).Type, verbContext))
            .Select(s => s.Name)
            .OrderBy(n => n, System.StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
