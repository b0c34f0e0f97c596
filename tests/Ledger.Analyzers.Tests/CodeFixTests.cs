using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>The fixes turn the common mistakes into their deterministic form, and are not offered where
/// they would not compile (no VerbContext in scope, a Guid-typed target).</summary>
public class CodeFixTests
{
    private static string InVerb(string body) => $$"""
        public sealed class Fix() : Verb<Args>("fix", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                {{body}}
            }
        }
        """;

    private static Microsoft.CodeAnalysis.Testing.DiagnosticResult At(string id) => Diagnostic(id).WithLocation(0);

    [Fact]
    [Trait("Risk", "D1")]
    public Task DateTime_UtcNow_becomes_the_ops_time() => CodeFix(
        InVerb("var day = {|#0:DateTime.UtcNow|}.Date;"),
        InVerb("var day = ctx.AtTime.UtcDateTime.Date;"),
        kindsOfFix: 1,
        At(DiagnosticIds.WallClock).WithArguments("'DateTime.UtcNow' reads the wall clock", "Verb Fix → Fix.Execute → DateTime.UtcNow"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task DateTimeOffset_UtcNow_in_Unix_milliseconds_becomes_ctx_At() => CodeFix(
        InVerb("long at = {|#0:DateTimeOffset.UtcNow|}.ToUnixTimeMilliseconds();"),
        InVerb("long at = ctx.At;"),
        kindsOfFix: 1,
        At(DiagnosticIds.WallClock).WithArguments("'DateTimeOffset.UtcNow' reads the wall clock", "Verb Fix → Fix.Execute → DateTimeOffset.UtcNow"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task No_clock_fix_is_offered_where_no_VerbContext_is_in_scope()
    {
        const string source = """
            public static class Clock
            {
                public static DateTime Read() => {|#0:DateTime.Now|};
            }

            public sealed class Fix() : Verb<Args>("fix", 1, Scope.Branch)
            {
                protected override void Execute(VerbContext ctx, Args args) => Clock.Read();
            }
            """;
        return NoCodeFix(source,
            At(DiagnosticIds.WallClock).WithArguments("'DateTime.Now' reads the wall clock", "Verb Fix → Fix.Execute → Clock.Read → DateTime.Now"));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public Task Guid_NewGuid_as_text_becomes_an_id_derived_from_the_op_with_the_next_free_index() => CodeFix(
        InVerb("var first = ctx.NewId(); var second = {|#0:Guid.NewGuid()|}.ToString(\"N\");"),
        InVerb("var first = ctx.NewId(); var second = ctx.NewId(1);"),
        kindsOfFix: 1,
        At(DiagnosticIds.Randomness).WithArguments("'Guid.NewGuid' mints a random id", "Verb Fix → Fix.Execute → Guid.NewGuid"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task No_id_fix_is_offered_where_a_Guid_is_stored()
    {
        var source = InVerb("Guid id = {|#0:Guid.NewGuid()|};");
        return NoCodeFix(source,
            At(DiagnosticIds.Randomness).WithArguments("'Guid.NewGuid' mints a random id", "Verb Fix → Fix.Execute → Guid.NewGuid"));
    }

    [Fact]
    [Trait("Risk", "D1")]
    public Task ToString_and_TryParse_get_the_invariant_culture() => CodeFix(
        InVerb("var text = {|#0:args.Amount.ToString()|}; var ok = {|#1:long.TryParse(text, out var parsed)|};"),
        InVerb("var text = args.Amount.ToString(CultureInfo.InvariantCulture); var ok = long.TryParse(text, CultureInfo.InvariantCulture, out var parsed);"),
        kindsOfFix: 1,
        At(DiagnosticIds.CultureSensitive).WithArguments("'long.ToString' formats with the current culture", "Verb Fix → Fix.Execute → long.ToString"),
        Diagnostic(DiagnosticIds.CultureSensitive).WithLocation(1).WithArguments("'long.TryParse' parses with the current culture", "Verb Fix → Fix.Execute → long.TryParse"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task StartsWith_gets_the_ordinal_comparison_and_ToUpper_becomes_ToUpperInvariant() => CodeFix(
        InVerb("var a = {|#0:args.Key.StartsWith(\"sku\")|}; var b = {|#1:args.Key.ToUpper()|};"),
        InVerb("var a = args.Key.StartsWith(\"sku\", StringComparison.Ordinal); var b = args.Key.ToUpperInvariant();"),
        kindsOfFix: 2,
        At(DiagnosticIds.CultureSensitive).WithArguments("'string.StartsWith' compares with the current culture", "Verb Fix → Fix.Execute → string.StartsWith"),
        Diagnostic(DiagnosticIds.CultureSensitive).WithLocation(1).WithArguments("'string.ToUpper' maps case with the current culture's rules (Turkish 'i')", "Verb Fix → Fix.Execute → string.ToUpper"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task CompareTo_becomes_CompareOrdinal_and_a_culture_comparison_becomes_ordinal() => CodeFix(
        InVerb("var a = {|#0:args.Key.CompareTo(\"m\")|}; var b = string.Equals(args.Key, \"x\", {|#1:StringComparison.CurrentCultureIgnoreCase|});"),
        InVerb("var a = string.CompareOrdinal(args.Key, \"m\"); var b = string.Equals(args.Key, \"x\", StringComparison.OrdinalIgnoreCase);"),
        kindsOfFix: 2,
        At(DiagnosticIds.CultureSensitive).WithArguments("'string.CompareTo' compares with the current culture", "Verb Fix → Fix.Execute → string.CompareTo"),
        Diagnostic(DiagnosticIds.CultureSensitive).WithLocation(1).WithArguments("'StringComparison.CurrentCultureIgnoreCase' compares linguistically, which follows the device's culture data",
            "Verb Fix → Fix.Execute → StringComparison.CurrentCultureIgnoreCase"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task An_interpolated_string_is_formatted_with_the_invariant_culture_and_a_string_sort_gets_the_ordinal_comparer() => CodeFix(
        InVerb("var a = {|#0:$\"{args.Key}={args.Amount}\"|}; var b = {|#1:new List<string>().OrderBy(s => s)|};"),
        InVerb("var a = string.Create(CultureInfo.InvariantCulture, $\"{args.Key}={args.Amount}\"); var b = new List<string>().OrderBy(s => s, StringComparer.Ordinal);"),
        kindsOfFix: 2,
        At(DiagnosticIds.CultureSensitive).WithArguments("'$\"…\"' formats long with the current culture", "Verb Fix → Fix.Execute → $\"…\""),
        Diagnostic(DiagnosticIds.CultureSensitive).WithLocation(1).WithArguments("'Enumerable.OrderBy' orders strings with the current culture's comparer", "Verb Fix → Fix.Execute → Enumerable.OrderBy"));
}
