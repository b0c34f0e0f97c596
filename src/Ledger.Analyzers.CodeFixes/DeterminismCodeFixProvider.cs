using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ledger.Analyzers.CodeFixes;

/// <summary>Fixes for the most common determinism findings: a clock read becomes the op's time, a new
/// random id becomes an id derived from the op, and a culture-sensitive call becomes its ordinal or
/// invariant form. The analyzer decides which rewrite applies (diagnostic properties); this class only
/// rewrites syntax.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DeterminismCodeFixProvider)), Shared]
public sealed class DeterminismCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        [DiagnosticIds.WallClock, DiagnosticIds.Randomness, DiagnosticIds.CultureSensitive];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;

        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixProperties.Fix, out var fix) || fix is null) continue;
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var rewrite = fix switch
            {
                FixProperties.FixUseOpTime => OpTime.Rewrite(node, model, diagnostic, context.CancellationToken),
                FixProperties.FixUseOpId => OpId.Rewrite(node, model, context.CancellationToken),
                FixProperties.FixAddInvariantCulture => Arguments.Insert(node, model, diagnostic, Qualified("System.Globalization.CultureInfo.InvariantCulture"), "Use CultureInfo.InvariantCulture"),
                FixProperties.FixAddOrdinalComparison => Arguments.Insert(node, model, diagnostic, Qualified("System.StringComparison.Ordinal"), "Compare ordinally"),
                FixProperties.FixAddOrdinalComparer => Arguments.Insert(node, model, diagnostic, Qualified("System.StringComparer.Ordinal"), "Order with StringComparer.Ordinal"),
                FixProperties.FixRenameMethod or FixProperties.FixRenameMember => Rename(node, diagnostic),
                FixProperties.FixCompareOrdinal => CompareOrdinal(node),
                FixProperties.FixInvariantInterpolation => InvariantInterpolation(node),
                _ => null,
            };
            if (rewrite is not { } change) continue;

            context.RegisterCodeFix(
                CodeAction.Create(change.Title, ct => Replace(context.Document, root, change.Old, change.New), equivalenceKey: fix),
                diagnostic);
        }
    }

    private static Task<Document> Replace(Document document, SyntaxNode root, SyntaxNode old, SyntaxNode replacement) =>
        Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(old, replacement.WithTriviaFrom(old))));

    /// <summary>A fully qualified expression the cleanup after a code action shortens and imports.</summary>
    internal static ExpressionSyntax Qualified(string expression) =>
        SyntaxFactory.ParseExpression(expression).WithAdditionalAnnotations(
            Microsoft.CodeAnalysis.Simplification.Simplifier.Annotation,
            Microsoft.CodeAnalysis.Simplification.Simplifier.AddImportsAnnotation);

    private static Rewrite? Rename(SyntaxNode node, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(FixProperties.ReplacementName, out var name) || name is null) return null;
        var simpleName = node switch
        {
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } => access.Name,
            InvocationExpressionSyntax { Expression: SimpleNameSyntax called } => called,
            MemberAccessExpressionSyntax access => access.Name,
            SimpleNameSyntax bare => bare,
            _ => null,
        };
        return simpleName is null
            ? null
            : new Rewrite($"Use {name}", simpleName, SyntaxFactory.IdentifierName(name));
    }

    private static Rewrite? CompareOrdinal(SyntaxNode node)
    {
        if (node is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access, ArgumentList.Arguments: { Count: 1 } arguments } invocation)
        {
            return null;
        }

        var replacement = SyntaxFactory.InvocationExpression(
            SyntaxFactory.ParseExpression("string.CompareOrdinal"),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList([SyntaxFactory.Argument(access.Expression.WithoutTrivia()), arguments[0]])));
        return new Rewrite("Use string.CompareOrdinal", invocation, replacement);
    }

    private static Rewrite? InvariantInterpolation(SyntaxNode node)
    {
        var interpolation = node as InterpolatedStringExpressionSyntax ?? node.DescendantNodesAndSelf().OfType<InterpolatedStringExpressionSyntax>().FirstOrDefault();
        if (interpolation is null) return null;
        var replacement = SyntaxFactory.InvocationExpression(
            SyntaxFactory.ParseExpression("string.Create"),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(
            [
                SyntaxFactory.Argument(Qualified("System.Globalization.CultureInfo.InvariantCulture")),
                SyntaxFactory.Argument(interpolation.WithoutTrivia()),
            ])));
        return new Rewrite("Format with CultureInfo.InvariantCulture", interpolation, replacement);
    }

    internal static int Index(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(FixProperties.ArgumentIndex, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : -1;
}
