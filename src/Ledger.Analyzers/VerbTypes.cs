using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>Which types are verbs: classes deriving, directly or not, from <c>Ledger.Kernel.Verb</c>.</summary>
internal sealed class VerbTypes
{
    private const string Arrow = " → ";

    private readonly INamedTypeSymbol _verb;
    private readonly Waivers _waivers;
    private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _isVerb = new(SymbolEqualityComparer.Default);

    public VerbTypes(INamedTypeSymbol verb, Waivers waivers)
    {
        _verb = verb;
        _waivers = waivers;
    }

    public bool IsVerb(INamedTypeSymbol type) => _isVerb.GetOrAdd(type, t =>
    {
        for (var b = t.BaseType; b is not null; b = b.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(b.OriginalDefinition, _verb)) return true;
        }

        return false;
    });

    /// <summary>The verb that declares <paramref name="member"/>, if it does and the member is not waived:
    /// its findings are reported where they are found, with the one-link chain from that verb.</summary>
    public INamedTypeSymbol? DeclaringVerb(ISymbol member) =>
        member.ContainingType is { } type && IsVerb(type) && !_waivers.IsWaived(member) ? type : null;

    public static string Chain(INamedTypeSymbol verb, params string[] links) => "Verb " + SymbolNames.Type(verb) + Arrow + string.Join(Arrow, links);

    public static Diagnostic Report(DiagnosticDescriptor rule, Finding finding, string chain) =>
        Diagnostic.Create(rule, finding.Location, finding.Properties, finding.Describe(), chain);
}
