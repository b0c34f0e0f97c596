using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0006: hash-based collections enumerate in an order that depends on hash codes and history.</summary>
public class UnorderedEnumerationTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Foreach_over_a_Dictionary_is_reported_at_the_collection() => Analyzer("""
        public sealed class Spread() : Verb<Args>("spread", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var shares = new Dictionary<string, long> { ["a"] = 1, ["b"] = 2 };
                var first = "";
                foreach (var pair in {|#0:shares|}) first = pair.Key;
            }
        }
        """,
        Reachable(DiagnosticIds.UnorderedEnumeration, 0, "'Dictionary<string, long>' is enumerated in hash order by foreach",
            "Verb Spread → Spread.Execute → Dictionary<string, long>"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Keys_HashSet_interfaces_and_concurrent_and_immutable_hash_types_through_LINQ_are_reported() => Analyzer("""
        public static class Pick
        {
            public static string First(IReadOnlyDictionary<string, long> map) => {|#0:map.Keys|}.First();

            public static List<string> Tags(HashSet<string> tags) => {|#1:tags|}.Where(t => t.Length > 1).Select(t => t).ToList();

            public static string[] Names(ConcurrentDictionary<string, int> names) => {|#2:names|}.ToArray().Select(p => p.Key).ToArray();

            public static IEnumerable<string> Leak(ImmutableHashSet<string> set) => {|#3:set|};
        }

        public sealed class Choose() : Verb<Args>("choose", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                Pick.First(new Dictionary<string, long>());
                Pick.Tags([]);
                Pick.Names(new());
                Pick.Leak(ImmutableHashSet<string>.Empty);
            }
        }
        """,
        Reachable(DiagnosticIds.UnorderedEnumeration, 0, "'IReadOnlyDictionary<string, long>.Keys' is consumed in hash order by 'Enumerable.First'",
            "Verb Choose → Choose.Execute → Pick.First → IReadOnlyDictionary<string, long>.Keys"),
        Reachable(DiagnosticIds.UnorderedEnumeration, 1, "'HashSet<string>' is consumed in hash order by 'Enumerable.ToList'",
            "Verb Choose → Choose.Execute → Pick.Tags → HashSet<string>"),
        Reachable(DiagnosticIds.UnorderedEnumeration, 2, "'ConcurrentDictionary<string, int>' is consumed in hash order by 'ConcurrentDictionary<string, int>.ToArray'",
            "Verb Choose → Choose.Execute → Pick.Names → ConcurrentDictionary<string, int>"),
        Reachable(DiagnosticIds.UnorderedEnumeration, 3, "'ImmutableHashSet<string>' is used as a sequence in hash order",
            "Verb Choose → Choose.Execute → Pick.Leak → ImmutableHashSet<string>"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Passing_a_hash_collection_to_a_generic_parameter_is_judged_at_the_call() => Analyzer("""
        public sealed class Snapshot() : Verb<Args>("snapshot", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var totals = new Dictionary<string, long>();
                var json = System.Text.Json.JsonSerializer.Serialize({|#0:totals|});
            }
        }
        """,
        Reachable(DiagnosticIds.UnorderedEnumeration, 0, "'Dictionary<string, long>' is consumed in hash order by 'JsonSerializer.Serialize'",
            "Verb Snapshot → Snapshot.Execute → Dictionary<string, long>"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Ordering_string_keys_with_the_default_comparer_is_still_reported() => Analyzer("""
        public sealed class Spread() : Verb<Args>("spread", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var shares = new Dictionary<string, long>();
                foreach (var pair in {|#0:shares|}.OrderBy(p => p.Key)) ctx.Refuse(pair.Key);
            }
        }
        """,
        Reachable(DiagnosticIds.UnorderedEnumeration, 0,
            "'Dictionary<string, long>' is ordered by the current culture's comparer in 'Enumerable.OrderBy'; pass StringComparer.Ordinal",
            "Verb Spread → Spread.Execute → Dictionary<string, long>"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Sorted_types_ordinal_ordering_and_order_insensitive_consumers_are_clean() => Analyzer("""
        public sealed class Spread() : Verb<Args>("spread", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var sorted = new SortedDictionary<string, long>(StringComparer.Ordinal);
                foreach (var pair in sorted) ctx.Refuse(pair.Key);

                var shares = new Dictionary<string, long>();
                foreach (var pair in shares.OrderBy(p => p.Key, StringComparer.Ordinal)) ctx.Refuse(pair.Key);
                foreach (var key in shares.Keys.Order(StringComparer.Ordinal)) ctx.Refuse(key);
                foreach (var pair in shares.OrderBy(p => p.Value)) ctx.Refuse(pair.Key);
                var total = shares.Values.Sum();
                var any = shares.Count > 0 && shares.ContainsKey("a") && shares.Values.Any(v => v > 1);
                var copy = new HashSet<string>(shares.Keys);
                var map = shares.ToDictionary(p => p.Key, p => p.Value);
                var frozen = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, shares);
                foreach (var pair in frozen) ctx.Refuse(pair.Key);
                var list = new List<string> { "b", "a" };
                foreach (var item in list) ctx.Refuse(item);
            }
        }
        """);

    [Fact]
    [Trait("Risk", "D1")]
    public Task Floating_point_sums_of_unordered_values_are_reported_because_addition_order_matters() => Analyzer("""
        public sealed class Average() : Verb<Args>("average", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var weights = new Dictionary<string, decimal>();
                var exact = weights.Values.Sum();
                var rough = {|#0:weights.Values|}.Sum(w => (double)w);
            }
        }
        """,
        Reachable(DiagnosticIds.UnorderedEnumeration, 0, "'Dictionary<string, decimal>.Values' is consumed in hash order by 'Enumerable.Sum'",
            "Verb Average → Average.Execute → Dictionary<string, decimal>.Values"));
}
