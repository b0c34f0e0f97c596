using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>What one member's code does, independent of who calls it: its findings and the members of
/// this compilation it calls. Filled concurrently by operation actions, read once at compilation end.</summary>
internal sealed class MemberFacts
{
    private readonly object _gate = new();
    private readonly List<Finding> _findings = [];
    private readonly HashSet<ISymbol> _callees = new(SymbolEqualityComparer.Default);

    public void Add(Finding finding)
    {
        lock (_gate) _findings.Add(finding);
    }

    public void AddCallee(ISymbol callee)
    {
        lock (_gate) _callees.Add(callee);
    }

    /// <summary>Findings in source order, so that reports do not depend on analysis scheduling.</summary>
    public IReadOnlyList<Finding> Findings()
    {
        lock (_gate) return _findings.OrderBy(f => f.Location.SourceSpan.Start).ThenBy(f => f.Rule.Id, System.StringComparer.Ordinal).ToList();
    }

    public IReadOnlyCollection<ISymbol> Callees()
    {
        lock (_gate) return _callees.ToList();
    }
}
