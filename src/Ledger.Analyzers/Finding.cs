using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>Something in a member body that would split books if the member runs inside a verb. It
/// becomes a diagnostic only if the member turns out to be reachable from a verb.</summary>
internal sealed class Finding
{
    public Finding(DiagnosticDescriptor rule, Location location, string subject, string reason,
        ImmutableDictionary<string, string?>? properties = null)
    {
        Rule = rule;
        Location = location;
        Subject = subject;
        Reason = reason;
        Properties = properties ?? ImmutableDictionary<string, string?>.Empty;
    }

    public DiagnosticDescriptor Rule { get; }

    public Location Location { get; }

    /// <summary>The API or construct, as it ends the chain: <c>DateTime.Now</c>.</summary>
    public string Subject { get; }

    /// <summary>Why it splits books, as a predicate: <c>reads the wall clock</c>.</summary>
    public string Reason { get; }

    /// <summary>What a code fix needs to know (see <see cref="FixProperties"/>).</summary>
    public ImmutableDictionary<string, string?> Properties { get; }

    public string Describe() => $"'{Subject}' {Reason}";
}
