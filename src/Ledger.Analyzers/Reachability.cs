using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ledger.Analyzers;

/// <summary>Walks the call graph from every verb and reports the findings of the code it reaches, each
/// once, with the shortest chain from the first verb (in name order) that reaches it.</summary>
internal sealed class Reachability
{
    private const string Arrow = " → ";

    private readonly CallGraph _graph;
    private readonly FactCollector _facts;
    private readonly FloatingPoint _floating;
    private readonly Waivers _waivers;
    private readonly INamedTypeSymbol _verb;
    private readonly INamedTypeSymbol? _verbOfArgs;

    public Reachability(CallGraph graph, FactCollector facts, FloatingPoint floating, Waivers waivers, INamedTypeSymbol verb, INamedTypeSymbol? verbOfArgs)
    {
        _graph = graph;
        _facts = facts;
        _floating = floating;
        _waivers = waivers;
        _verb = verb;
        _verbOfArgs = verbOfArgs;
    }

    public bool IsVerb(INamedTypeSymbol type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, _verb)) return true;
        }

        return false;
    }

    public void Report(CompilationAnalysisContext context, IEnumerable<INamedTypeSymbol> sourceTypes)
    {
        var verbs = sourceTypes.Where(IsVerb).Where(v => !_waivers.IsWaived(v))
            .OrderBy(v => v.ToDisplayString(), System.StringComparer.Ordinal).ToList();
        var reported = new HashSet<(string Id, Location Location)>();
        var parent = new Dictionary<ISymbol, (ISymbol? Parent, INamedTypeSymbol Verb)>(SymbolEqualityComparer.Default);
        var queue = new Queue<ISymbol>();

        foreach (var verb in verbs)
        {
            foreach (var finding in VerbFindings(verb))
            {
                Emit(context, reported, finding, $"Verb {SymbolNames.Type(verb)}{Arrow}{finding.Subject}");
            }

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

    /// <summary>Floating point in what the verb receives (its args type) and what it keeps (its fields).</summary>
    private IEnumerable<Finding> VerbFindings(INamedTypeSymbol verb)
    {
        for (var type = verb.BaseType; type is not null; type = type.BaseType)
        {
            if (!SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _verbOfArgs)) continue;
            if (_floating.FloatingPath(type.TypeArguments[0]) is { } path)
            {
                yield return new Finding(Rules.FloatingPoint, BaseTypeLocation(verb), path, "is floating point in the verb's args");
            }

            break;
        }

        foreach (var member in verb.GetMembers())
        {
            var (type, location) = member switch
            {
                IFieldSymbol { IsImplicitlyDeclared: false } field => (field.Type, field.Locations.FirstOrDefault()),
                IPropertySymbol { IsIndexer: false } property when IsAutoProperty(property) => (property.Type, property.Locations.FirstOrDefault()),
                _ => (null, null),
            };
            if (type is null || location is null || _waivers.IsWaived(member) || _floating.FloatingPath(type) is not { } path) continue;
            yield return new Finding(Rules.FloatingPoint, location, $"{SymbolNames.Subject(member)} ({path})", "keeps floating point in the verb");
        }
    }

    private static bool IsAutoProperty(IPropertySymbol property) =>
        property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

    private static Location BaseTypeLocation(INamedTypeSymbol verb)
    {
        foreach (var reference in verb.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is TypeDeclarationSyntax { BaseList.Types: { Count: > 0 } types }) return types[0].GetLocation();
        }

        return verb.Locations.FirstOrDefault() ?? Location.None;
    }

    private static string Chain(ISymbol node, Dictionary<ISymbol, (ISymbol? Parent, INamedTypeSymbol Verb)> parent, Finding finding)
    {
        var links = new List<string> { finding.Subject };
        INamedTypeSymbol verb = parent[node].Verb;
        for (ISymbol? current = node; current is not null; current = parent[current].Parent) links.Add(SymbolNames.Node(current));
        links.Add("Verb " + SymbolNames.Type(verb));
        links.Reverse();
        return string.Join(Arrow, links);
    }

    private static void Emit(CompilationAnalysisContext context, HashSet<(string, Location)> reported, Finding finding, string chain)
    {
        if (!reported.Add((finding.Rule.Id, finding.Location))) return;
        context.ReportDiagnostic(Diagnostic.Create(finding.Rule, finding.Location, finding.Properties, finding.Describe(), chain));
    }
}
