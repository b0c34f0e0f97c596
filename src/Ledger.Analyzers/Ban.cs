using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>Why an API is forbidden in verb code: the rule it breaks and the reason, as a predicate.</summary>
internal sealed class Ban
{
    public Ban(DiagnosticDescriptor rule, string reason)
    {
        Rule = rule;
        Reason = reason;
    }

    public DiagnosticDescriptor Rule { get; }

    public string Reason { get; }
}
