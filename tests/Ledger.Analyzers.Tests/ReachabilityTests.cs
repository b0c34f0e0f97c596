using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>Scope: a verb's members and everything they run inside the compilation, transitively; nothing else.</summary>
public class ReachabilityTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Constructors_field_initializers_properties_lambdas_and_local_functions_are_followed() => Analyzer("""
        public sealed class Pricer
        {
            private readonly DateTime _created = {|#0:DateTime.UtcNow|};

            public long Markup => {|#1:Environment.ProcessorCount|};
        }

        public sealed class Price() : Verb<Args>("price", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var pricer = new Pricer();
                Func<long> markup = () => pricer.Markup;
                long Local() => {|#3:{|#2:Random.Shared|}.Next()|};
                ctx.Refuse(markup() + Local() > 0 ? "a" : "b");
            }
        }
        """,
        Reachable(DiagnosticIds.WallClock, 0, "'DateTime.UtcNow' reads the wall clock", "Verb Price → Price.Execute → new Pricer → Pricer._created (initializer) → DateTime.UtcNow"),
        Reachable(DiagnosticIds.Environment, 1, "'Environment.ProcessorCount' reads the process environment", "Verb Price → Price.Execute → Pricer.Markup → Environment.ProcessorCount"),
        Reachable(DiagnosticIds.Randomness, 2, "'Random.Shared' draws random numbers", "Verb Price → Price.Execute → Random.Shared"),
        Reachable(DiagnosticIds.Randomness, 3, "'Random.Next' draws random numbers", "Verb Price → Price.Execute → Random.Next"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Interface_and_virtual_calls_reach_every_implementation_in_the_compilation() => Analyzer("""
        public interface IRule
        {
            bool Allows(Args args);
        }

        public sealed class Weekday : IRule
        {
            public bool Allows(Args args) => {|#0:DateTime.Today|}.DayOfWeek != DayOfWeek.Sunday;
        }

        public sealed class Always : IRule
        {
            public bool Allows(Args args) => true;
        }

        public abstract class Policy
        {
            public abstract string Name();
        }

        public sealed class LocalPolicy : Policy
        {
            public override string Name() => {|#1:Environment.UserName|};
        }

        public sealed class Guarded(IRule {|#2:rule|}, Policy {|#3:policy|}) : Verb<Args>("guarded", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                if (!rule.Allows(args)) ctx.Refuse(policy.Name());
            }
        }
        """,
        Reachable(DiagnosticIds.WallClock, 0, "'DateTime.Today' reads the wall clock", "Verb Guarded → Guarded.Execute → IRule.Allows → Weekday.Allows → DateTime.Today"),
        Reachable(DiagnosticIds.Environment, 1, "'Environment.UserName' reads the process environment", "Verb Guarded → Guarded.Execute → Policy.Name → LocalPolicy.Name → Environment.UserName"),
        Reachable(DiagnosticIds.VerbInstanceState, 2, "'IRule rule' is a dependency handed to the verb's constructor, whose code the lint cannot see; a verb is constructed only with constants (numbers, strings, enums, table handles) and reads everything else from the op", "Verb Guarded → IRule rule"),
        Reachable(DiagnosticIds.VerbInstanceState, 3, "'Policy policy' is a dependency handed to the verb's constructor, whose code the lint cannot see; a verb is constructed only with constants (numbers, strings, enums, table handles) and reads everything else from the op", "Verb Guarded → Policy policy"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_helper_reached_from_two_verbs_is_reported_once_with_the_chain_from_the_first_verb_by_name() => Analyzer("""
        public static class Stamp
        {
            public static long Now() => {|#0:DateTimeOffset.UtcNow|}.ToUnixTimeMilliseconds();
        }

        public sealed class Zeta() : Verb<Args>("zeta", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => Stamp.Now();
        }

        public sealed class Alpha() : Verb<Args>("alpha", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => Stamp.Now();
        }
        """,
        Reachable(DiagnosticIds.WallClock, 0, "'DateTimeOffset.UtcNow' reads the wall clock", "Verb Alpha → Alpha.Execute → Stamp.Now → DateTimeOffset.UtcNow"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_verb_deriving_indirectly_through_an_abstract_base_is_a_verb_and_so_is_the_base() => Analyzer("""
        public abstract class AuditedVerb<TArgs>(string name) : Verb<TArgs>(name, 1, Scope.Branch)
        {
            protected string Stamp() => {|#0:DateTime.UtcNow|}.Ticks.ToString(CultureInfo.InvariantCulture);
        }

        public sealed class Post() : AuditedVerb<Args>("post")
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse(Stamp());
        }
        """,
        Reachable(DiagnosticIds.WallClock, 0, "'DateTime.UtcNow' reads the wall clock", "Verb AuditedVerb<TArgs> → AuditedVerb<TArgs>.Stamp → DateTime.UtcNow"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Every_member_of_a_verb_is_verb_code_even_one_nothing_calls() => Analyzer("""
        public sealed class Noted() : Verb<Args>("noted", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse(args.Key);

            private static Guid Unused() => {|#0:Guid.NewGuid()|};
        }
        """,
        Reachable(DiagnosticIds.Randomness, 0, "'Guid.NewGuid' mints a random id", "Verb Noted → Noted.Unused → Guid.NewGuid"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Code_no_verb_calls_is_never_reported_even_next_to_verbs() => Analyzer("""
        public static class Reports
        {
            public static string Header() => $"{DateTime.Now} {Environment.MachineName} {Guid.NewGuid()}";

            public static IEnumerable<string> Keys(Dictionary<string, long> map) => map.Keys;
        }

        public sealed class Clean() : Verb<Args>("clean", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse(args.Key);
        }

        public static class Program
        {
            public static void Main() => Console.WriteLine(Reports.Header() + Reports.Keys(new()).Count());
        }
        """);
}
