using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0007: string hash codes are randomized per process; others are unspecified.</summary>
public class HashCodeTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task GetHashCode_HashCode_and_comparer_hash_codes_are_reported() => Analyzer("""
        public sealed class Bucket() : Verb<Args>("bucket", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var a = {|#0:args.Key.GetHashCode()|} % 16;
                var b = {|#1:HashCode.Combine(args.Key, args.Amount)|};
                var c = {|#2:StringComparer.Ordinal.GetHashCode(args.Key)|};
                var d = {|#3:args.GetHashCode()|};
            }
        }
        """,
        Reachable(DiagnosticIds.HashCode, 0, "'string.GetHashCode' yields a hash code, which differs between processes and runtime versions",
            "Verb Bucket → Bucket.Execute → string.GetHashCode"),
        Reachable(DiagnosticIds.HashCode, 1, "'HashCode.Combine' yields a hash code, which differs between processes and runtime versions",
            "Verb Bucket → Bucket.Execute → HashCode.Combine"),
        Reachable(DiagnosticIds.HashCode, 2, "'StringComparer.GetHashCode' yields a hash code, which differs between processes and runtime versions",
            "Verb Bucket → Bucket.Execute → StringComparer.GetHashCode"),
        Reachable(DiagnosticIds.HashCode, 3, "'Args.GetHashCode' yields a hash code, which differs between processes and runtime versions",
            "Verb Bucket → Bucket.Execute → Args.GetHashCode"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Implementing_GetHashCode_for_a_hash_table_key_is_clean() => Analyzer("""
        public sealed class SkuComparer : IEqualityComparer<string>
        {
            public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

            public int GetHashCode(string obj) => StringComparer.Ordinal.GetHashCode(obj);
        }

        public sealed class Tally() : Verb<Args>("tally", 1, Scope.Branch)
        {
            private static readonly SkuComparer Skus = new();

            protected override void Execute(VerbContext ctx, Args args)
            {
                if (Skus.Equals(args.Key, "x")) ctx.Refuse("x");
            }

            public override int GetHashCode() => HashCode.Combine(Name, Version);

            public override bool Equals(object? obj) => ReferenceEquals(this, obj);
        }
        """);
}
