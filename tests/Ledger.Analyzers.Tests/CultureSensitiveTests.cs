using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0009: culture data (signs, separators, casing, collation) differs between devices.</summary>
public class CultureSensitiveTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Formatting_and_parsing_without_a_provider_are_reported() => Analyzer("""
        public sealed class Label() : Verb<Args>("label", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var a = {|#0:args.Amount.ToString()|};
                var b = {|#1:long.Parse(args.Key)|};
                var c = {|#2:string.Format("{0}", args.Amount)|};
                var d = {|#3:$"total {args.Amount}"|};
                var e = "total " + {|#4:args.Amount|};
                var f = {|#5:ctx.AtTime.ToString("d")|};
                var g = {|#6:decimal.TryParse(args.Key, out var parsed)|};
            }
        }
        """,
        Reachable(DiagnosticIds.CultureSensitive, 0, "'long.ToString' formats with the current culture", "Verb Label → Label.Execute → long.ToString"),
        Reachable(DiagnosticIds.CultureSensitive, 1, "'long.Parse' parses with the current culture", "Verb Label → Label.Execute → long.Parse"),
        Reachable(DiagnosticIds.CultureSensitive, 2, "'string.Format' formats with the current culture", "Verb Label → Label.Execute → string.Format"),
        Reachable(DiagnosticIds.CultureSensitive, 3, "'$\"…\"' formats long with the current culture", "Verb Label → Label.Execute → $\"…\""),
        Reachable(DiagnosticIds.CultureSensitive, 4, "'string concatenation' formats long with the current culture", "Verb Label → Label.Execute → string concatenation"),
        Reachable(DiagnosticIds.CultureSensitive, 5, "'DateTimeOffset.ToString' formats with the current culture", "Verb Label → Label.Execute → DateTimeOffset.ToString"),
        Reachable(DiagnosticIds.CultureSensitive, 6, "'decimal.TryParse' parses with the current culture", "Verb Label → Label.Execute → decimal.TryParse"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Linguistic_comparison_casing_and_sorting_of_strings_are_reported() => Analyzer("""
        public sealed class Match() : Verb<Args>("match", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var a = {|#0:args.Key.StartsWith("sku-")|};
                var b = {|#1:string.Compare(args.Key, "m")|};
                var c = {|#2:args.Key.CompareTo("m")|};
                var d = {|#3:args.Key.ToUpper()|};
                var e = string.Equals(args.Key, "x", {|#4:StringComparison.InvariantCultureIgnoreCase|});
                var f = {|#5:new List<string> { "b", "a" }.OrderBy(s => s)|}.First();
                var g = {|#6:new SortedSet<string>()|};
                var h = {|#7:args.Key.IndexOf("-")|};
                var i = {|#8:StringComparer.CurrentCulture|};
            }
        }
        """,
        Reachable(DiagnosticIds.CultureSensitive, 0, "'string.StartsWith' compares with the current culture", "Verb Match → Match.Execute → string.StartsWith"),
        Reachable(DiagnosticIds.CultureSensitive, 1, "'string.Compare' compares with the current culture", "Verb Match → Match.Execute → string.Compare"),
        Reachable(DiagnosticIds.CultureSensitive, 2, "'string.CompareTo' compares with the current culture", "Verb Match → Match.Execute → string.CompareTo"),
        Reachable(DiagnosticIds.CultureSensitive, 3, "'string.ToUpper' maps case with the current culture's rules (Turkish 'i')", "Verb Match → Match.Execute → string.ToUpper"),
        Reachable(DiagnosticIds.CultureSensitive, 4, "'StringComparison.InvariantCultureIgnoreCase' compares linguistically, which follows the device's culture data",
            "Verb Match → Match.Execute → StringComparison.InvariantCultureIgnoreCase"),
        Reachable(DiagnosticIds.CultureSensitive, 5, "'Enumerable.OrderBy' orders strings with the current culture's comparer", "Verb Match → Match.Execute → Enumerable.OrderBy"),
        Reachable(DiagnosticIds.CultureSensitive, 6, "'new SortedSet<string>' orders strings with the current culture's comparer", "Verb Match → Match.Execute → new SortedSet<string>"),
        Reachable(DiagnosticIds.CultureSensitive, 7, "'string.IndexOf' compares with the current culture", "Verb Match → Match.Execute → string.IndexOf"),
        Reachable(DiagnosticIds.CultureSensitive, 8, "'StringComparer.CurrentCulture' compares linguistically, which follows the device's culture data",
            "Verb Match → Match.Execute → StringComparer.CurrentCulture"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Invariant_and_ordinal_overloads_culture_free_formats_and_exception_messages_are_clean() => Analyzer("""
        public sealed class Label() : Verb<Args>("label", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var a = args.Amount.ToString(CultureInfo.InvariantCulture);
                var b = long.Parse(args.Key, CultureInfo.InvariantCulture);
                var c = string.Create(CultureInfo.InvariantCulture, $"total {args.Amount}");
                var d = FormattableString.Invariant($"total {args.Amount}");
                var e = "key:" + args.Key + ':' + ctx.Seq + $"/{ctx.Seq}";
                var f = args.Key.StartsWith("sku-", StringComparison.Ordinal) && args.Key.Contains("x") && args.Key.EndsWith('x');
                var g = string.CompareOrdinal(args.Key, "m") + args.Key.ToUpperInvariant().Length;
                var h = new List<string> { "b", "a" }.OrderBy(s => s, StringComparer.Ordinal).First();
                var i = new SortedDictionary<string, long>(StringComparer.Ordinal);
                var j = string.Equals(args.Key, "x", StringComparison.OrdinalIgnoreCase) || args.Key == "y";
                var k = new List<long> { 2, 1 }.Order().First().ToString(CultureInfo.InvariantCulture);
                var l = ctx.Seq.ToString() + ctx.AtTime.ToString("O", CultureInfo.InvariantCulture);
                if (args.Amount > 1_000) throw new ArgumentOutOfRangeException(nameof(args), $"amount {args.Amount} is over {1_000:N0}");
            }
        }
        """);
}
