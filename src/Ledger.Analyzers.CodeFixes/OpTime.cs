using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ledger.Analyzers.CodeFixes;

/// <summary>LDG0001 fix: a wall-clock read becomes the op's time (<c>ctx.AtTime</c>, or
/// <c>ctx.AtTime.UtcDateTime</c> where a DateTime is read). <c>DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()</c>
/// becomes <c>ctx.At</c>.</summary>
internal static class OpTime
{
    public static Rewrite? Rewrite(SyntaxNode node, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(FixProperties.ClockReplacement, out var replacement) || replacement is null) return null;
        if (node is not ExpressionSyntax clock) return null;
        if (VerbContextInScope.Find(model, clock.SpanStart, cancellationToken) is not { } context) return null;

        if (replacement == "AtTime"
            && clock.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ToUnixTimeMilliseconds" } access
            && access.Expression == clock
            && access.Parent is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0 } toUnix)
        {
            return new Rewrite($"Use the op's time ({context}.At)", toUnix, SyntaxFactory.ParseExpression($"{context}.At"));
        }

        return new Rewrite($"Use the op's time ({context}.{replacement})", clock, SyntaxFactory.ParseExpression($"{context}.{replacement}"));
    }
}
