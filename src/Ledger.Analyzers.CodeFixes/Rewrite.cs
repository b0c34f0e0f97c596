using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers.CodeFixes;

/// <summary>One syntax replacement offered as a code action.</summary>
internal sealed class Rewrite
{
    public Rewrite(string title, SyntaxNode old, SyntaxNode replacement)
    {
        Title = title;
        Old = old;
        New = replacement;
    }

    public string Title { get; }

    public SyntaxNode Old { get; }

    public SyntaxNode New { get; }
}
