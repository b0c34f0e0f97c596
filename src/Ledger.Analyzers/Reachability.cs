using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ledger.Analyzers;

/// <summary>Walks the call graph from every verb and reports the findings of the code it reaches, each
/// once, with the shortest chain from the first verb (in name order) that reaches it.</summary>
internal sealed class Reachability
{
    private readonly CallGraph _graph;
    private readonly FactCollector _facts;
    private readonly Waivers _waivers;
    private readonly VerbTypes _verbs;

    public Reachability(CallGraph graph, FactCollector facts, Waivers waivers, VerbTypes verbs)
    {
        _graph = graph;
        _facts = facts;
        _waivers = waivers;
        _verbs = verbs;
    }

    public void Report(CompilationAnalysisContext context, IEnumerable<INamedTypeSymbol> sourceTypes)
    {
        var verbs = sourceTypes.Where(_verbs.IsVerb).Where(v => !_waivers.IsWaived(v))
            .OrderBy(v => v.ToDisplayString(), System.StringComparer.Ordinal).ToList();
        var reported = new HashSet<(string Id, Location Location)>();
        var parent = new Dictionary<ISymbol, (ISymbol? Parent, INamedTypeSymbol Verb)>(SymbolEqualityComparer.Default);
        var queue = new Queue<ISymbol>();

        foreach (var verb in verbs)
        {
            foreach (var root in Roots(verb))
            {
                if (parent.ContainsKey(root) || _waivers.IsWaived(root)) continue;
                parent[root] = (null, verb);
                queue.Enqueue(root);
            }
        }

        while (queue.Count > 0)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var node = queue.Dequeue();
            if (_facts.FactsOf(node) is { } facts)
            {
                foreach (var finding in facts.Findings())
                {
                    if (!reported.Contains((finding.Rule.Id, finding.Location))) Emit(context, reported, finding, Chain(node, parent, finding));
                }
            }

            foreach (var next in _graph.Successors(node))
            {
                if (parent.ContainsKey(next) || _waivers.IsWaived(next)) continue;
                parent[next] = (node, parent[node].Verb);
                queue.Enqueue(next);
            }
        }
    }

    /// <summary>A verb's own code: every member it declares, its static initialization, and its constructors
    /// (which run its field initializers).</summary>
    private IEnumerable<ISymbol> Roots(INamedTypeSymbol verb)
    {
        var members = verb.GetMembers().Where(m => m is IMethodSymbol or IFieldSymbol { IsConst: false } or IPropertySymbol)
            .Select(CallGraph.Normalize)
            .OrderBy(m => CallGraph.Position(m).Path, System.StringComparer.Ordinal)
            .ThenBy(m => CallGraph.Position(m).Start);
        return members.Prepend(verb.OriginalDefinition);
    }

    private static string Chain(ISymbol node, Dictionary<ISymbol, (ISymbol? Parent, INamedTypeSymbol Verb)> parent, Finding finding)
    {
        var links = new List<string> { finding.Subject };
        INamedTypeSymbol verb = parent[node].Verb;
        for (ISymbol? current = node; current is not null; current = parent[current].Parent) links.Add(SymbolNames.Node(current));
        links.Reverse();
        return VerbTypes.Chain(verb, [.. links]);
    }

    private static void Emit(CompilationAnalysisContext context, HashSet<(string, Location)> reported, Finding finding, string chain)
    {
        if (!reported.Add((finding.Rule.Id, finding.Location))) return;
        context.ReportDiagnostic(VerbTypes.Report(Rules.AtCompilationEnd(finding.Rule), finding, chain));
    }
}
