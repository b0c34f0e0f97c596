using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0017 and LDG0010: state that outlives the op on the verb instance, in static objects and in closures,
/// and dependencies handed to a verb (issue 21).</summary>
public class InstanceStateTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Fields_the_verb_instance_changes_are_reported() => Analyzer("""
        public static class Rows
        {
            public static readonly CounterTable Applied = new("applied");
        }

        public sealed class Counting() : Verb<Args>("counting", 1, Scope.Shared)
        {
            private long {|#0:_applied|};
            private readonly List<string> _seen = new();
            public string {|#1:Last|} { get; set; } = "";

            protected override void Execute(VerbContext ctx, Args args)
            {
                {|#2:_applied|}++;
                if ({|#3:_seen|}.Contains(args.Key)) ctx.Refuse("seen");
                {|#4:_seen|}.Add(args.Key);
                ctx.Add(Rows.Applied, args.Key, _applied);
            }
        }
        """,
        Reachable(DiagnosticIds.VerbInstanceState, 0, "'Counting._applied' is a field the verb instance can change; one instance serves every op, so it is state shared between ops", "Verb Counting → Counting._applied"),
        Reachable(DiagnosticIds.VerbInstanceState, 1, "'Counting.Last' is a settable property of the verb instance; one instance serves every op, so it is state shared between ops", "Verb Counting → Counting.Last"),
        Reachable(DiagnosticIds.VerbInstanceState, 2, "'Counting._applied' is a field of the verb instance that this code changes; one instance serves every op", "Verb Counting → Counting.Execute → Counting._applied"),
        Reachable(DiagnosticIds.VerbInstanceState, 4, "'Counting._seen' is an object on the verb instance that this code changes; one instance serves every op", "Verb Counting → Counting.Execute → Counting._seen"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_static_readonly_object_whose_fields_change_and_a_counter_in_a_closure_held_in_a_static_are_reported() => Analyzer("""
        public sealed class Tally
        {
            private long _count;
            public long Next() => ++_count;
        }

        public static class Shared
        {
            public static readonly Tally Calls = new();
            public static readonly Func<long> NextId = Counter();

            private static Func<long> Counter()
            {
                long n = 0;
                return {|#1:() => ++n|};
            }
        }

        public static class Rows
        {
            public static readonly CounterTable Seen = new("seen");
        }

        public sealed class Leaky() : Verb<Args>("leaky", 1, Scope.Shared)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                ctx.Add(Rows.Seen, args.Key, {|#0:Shared.Calls|}.Next() + Shared.NextId());
            }
        }
        """,
        Reachable(DiagnosticIds.StaticMutableState, 0, "'Shared.Calls' is a static object whose fields can change", "Verb Leaky → Leaky.Execute → Shared.Calls"),
        Reachable(DiagnosticIds.StaticMutableState, 1, "'closure over n' changes a captured variable and outlives the call that made it, so the variable is state kept between ops", "Verb Leaky → Leaky.Execute → Shared (static initialization) → Shared.NextId (initializer) → Shared.Counter → closure over n"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Dependencies_handed_to_a_verb_are_reported_and_constants_are_not() => Analyzer("""
        public interface IClock
        {
            long Now();
        }

        public sealed record Rate(string Code, int BasisPoints);

        public static class Rows
        {
            public static readonly BranchTable<long> Stamps = new("stamps");
        }

        public sealed class Stamped(Func<long> {|#0:clock|}, IClock {|#1:other|}, int offset, string prefix, Rate rate, BranchTable<long> table)
            : Verb<Args>("stamped", 1, Scope.Branch)
        {
            public Func<long>? {|#2:Fallback|} { get; init; }

            protected override void Execute(VerbContext ctx, Args args) =>
                ctx.Put(table, prefix + args.Key, clock() + other.Now() + offset + rate.BasisPoints);
        }
        """,
        Reachable(DiagnosticIds.VerbInstanceState, 0, "'Func<long> clock' is a dependency handed to the verb's constructor, whose code the lint cannot see; a verb is constructed only with constants (numbers, strings, enums, table handles) and reads everything else from the op", "Verb Stamped → Func<long> clock"),
        Reachable(DiagnosticIds.VerbInstanceState, 1, "'IClock other' is a dependency handed to the verb's constructor, whose code the lint cannot see; a verb is constructed only with constants (numbers, strings, enums, table handles) and reads everything else from the op", "Verb Stamped → IClock other"),
        Reachable(DiagnosticIds.VerbInstanceState, 2, "'Stamped.Fallback' hands the verb a Func<long> when it is built; a verb is built only with constants (numbers, strings, enums, table handles)", "Verb Stamped → Stamped.Fallback"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Objects_a_verb_creates_in_the_call_and_lookup_tables_it_only_reads_are_clean() => Analyzer("""
        public sealed class Acc
        {
            private long _sum;
            public void Add(long x) => _sum += x;
            public long Sum => _sum;
        }

        public static class Rows
        {
            public static readonly CounterTable Totals = new("totals");
        }

        public sealed class Summing() : Verb<Args>("summing", 1, Scope.Shared)
        {
            private readonly Dictionary<string, long> _weights = new(StringComparer.Ordinal) { ["a"] = 2 };
            private readonly int _scale = 10;

            protected override void Execute(VerbContext ctx, Args args)
            {
                var acc = new Acc();
                var parts = new List<long> { args.Amount, 1 };
                parts.ForEach(p => acc.Add(p));
                long local = 0;
                Action bump = () => local++;
                bump();
                var weight = _weights.TryGetValue(args.Key, out var w) ? w : 1;
                ctx.Add(Rows.Totals, args.Key, acc.Sum * weight * _scale + local);
            }
        }
        """);
}
