using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ledger.Analyzers.CodeFixes;

/// <summary>LDG0002 fix for <c>Guid.NewGuid()</c>: an id derived from the op, <c>ctx.NewId(k)</c>
/// ("author.seq.k"), unique across the ledger and the same on every replica. It is a string, so the fix is
/// offered where a string is what the code wants: <c>Guid.NewGuid().ToString(…)</c>, a string or object
/// context, or a <c>var</c>. Where a Guid is stored, the data type has to change first, by hand. Each id a
/// verb mints needs its own k, so k is one more than the largest index already used in the member.</summary>
internal static class OpId
{
    public static Rewrite? Rewrite(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        if (node is not InvocationExpressionSyntax newGuid) return null;
        if (VerbContextInScope.Find(model, newGuid.SpanStart, cancellationToken) is not { } context) return null;

        SyntaxNode target;
        if (newGuid.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ToString" } access && access.Parent is InvocationExpressionSyntax toString)
        {
            target = toString;
        }
        else if (IsStringContext(newGuid, model, cancellationToken))
        {
            target = newGuid;
        }
        else
        {
            return null;
        }

        var index = NextIndex(newGuid, model, cancellationToken);
        var replacement = SyntaxFactory.ParseExpression(index == 0 ? $"{context}.NewId()" : $"{context}.NewId({index})");
        return new Rewrite($"Use an id derived from the op ({context}.NewId)", target, replacement);
    }

    private static bool IsStringContext(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
    {
        if (expression.Parent is InterpolationSyntax) return true;
        if (expression.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Type.IsVar: true } } }) return true;
        var converted = model.GetTypeInfo(expression, cancellationToken).ConvertedType;
        return converted?.SpecialType is SpecialType.System_String or SpecialType.System_Object;
    }

    private static int NextIndex(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        var member = node.FirstAncestorOrSelf<MemberDeclarationSyntax>();
        if (member is null) return 0;
        var verbContext = model.Compilation.GetTypeByMetadataName("Ledger.Kernel.VerbContext");
        var used = member.DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Where(i => model.GetSymbolInfo(i, cancellationToken).Symbol is IMethodSymbol { Name: "NewId" } m
                        && SymbolEqualityComparer.Default.Equals(m.ContainingType, verbContext))
            .Select(i => i.ArgumentList.Arguments.Count == 0
                ? 0
                : model.GetConstantValue(i.ArgumentList.Arguments[0].Expression, cancellationToken) is { HasValue: true, Value: int k } ? k : 0)
            .ToList();
        return used.Count == 0 ? 0 : used.Max() + 1;
    }
}
