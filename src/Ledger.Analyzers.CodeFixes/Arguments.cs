using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ledger.Analyzers.CodeFixes;

/// <summary>Adds the argument that selects the invariant or ordinal overload, where the analyzer found
/// that overload (its parameter index travels in the diagnostic).</summary>
internal static class Arguments
{
    public static Rewrite? Insert(SyntaxNode node, SemanticModel model, Diagnostic diagnostic, ExpressionSyntax value, string title)
    {
        var call = node.FirstAncestorOrSelf<SyntaxNode>(n => n is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax);
        if (call is null) return null;
        var arguments = call switch
        {
            InvocationExpressionSyntax invocation => invocation.ArgumentList,
            BaseObjectCreationExpressionSyntax creation => creation.ArgumentList ?? SyntaxFactory.ArgumentList(),
            _ => null,
        };
        if (arguments is null) return null;

        var index = DeterminismCodeFixProvider.Index(diagnostic);
        if (index < 0) return null;

        // In reduced form (list.OrderBy(…)) the receiver is the extension method's first parameter.
        if (model.GetSymbolInfo(call).Symbol is IMethodSymbol { MethodKind: MethodKind.ReducedExtension }) index--;

        var argument = SyntaxFactory.Argument(value);
        var named = false;
        foreach (var existing in arguments.Arguments) named |= existing.NameColon is not null;
        if (named || index > arguments.Arguments.Count)
        {
            if (!diagnostic.Properties.TryGetValue(FixProperties.ParameterName, out var parameter) || parameter is null) return null;
            argument = argument.WithNameColon(SyntaxFactory.NameColon(parameter));
            index = arguments.Arguments.Count;
        }

        var newArguments = arguments.WithArguments(arguments.Arguments.Insert(index, argument));
        SyntaxNode replacement = call switch
        {
            InvocationExpressionSyntax invocation => invocation.WithArgumentList(newArguments),
            BaseObjectCreationExpressionSyntax creation => creation.WithArgumentList(newArguments),
            _ => call,
        };
        return new Rewrite(title, call, replacement);
    }
}
