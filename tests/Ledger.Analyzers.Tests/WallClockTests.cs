using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0001: replicas fold an op at different times; only the op's own time is shared.</summary>
public class WallClockTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task DateTime_Now_in_a_verb_is_reported_at_the_read_with_the_chain_from_the_verb() => Analyzer("""
        public sealed class Stamp() : Verb<Args>("stamp", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var now = {|#0:DateTime.Now|};
            }
        }
        """,
        Reachable(DiagnosticIds.WallClock, 0, "'DateTime.Now' reads the wall clock", "Verb Stamp → Stamp.Execute → DateTime.Now"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_clock_read_inside_a_helper_is_reported_in_the_helper_with_the_chain_through_it() => Analyzer("""
        public static class Clock
        {
            public static DateTime Read() => Inner();

            private static DateTime Inner() => {|#0:DateTime.UtcNow|};
        }

        public sealed class Stamp() : Verb<Args>("stamp", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => Clock.Read();
        }
        """,
        Reachable(DiagnosticIds.WallClock, 0, "'DateTime.UtcNow' reads the wall clock", "Verb Stamp → Stamp.Execute → Clock.Read → Clock.Inner → DateTime.UtcNow"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Stopwatch_uptime_TimeProvider_and_timers_are_reported() => Analyzer("""
        public sealed class Timed() : Verb<Args>("timed", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var watch = {|#0:System.Diagnostics.Stopwatch.StartNew()|};
                var ticks = {|#1:Environment.TickCount64|};
                var now = {|#2:{|#3:TimeProvider.System|}.GetUtcNow()|};
                using var timer = {|#4:new System.Threading.Timer(_ => { })|};
            }
        }
        """,
        Reachable(DiagnosticIds.WallClock, 0, "'Stopwatch.StartNew' measures elapsed time", "Verb Timed → Timed.Execute → Stopwatch.StartNew"),
        Reachable(DiagnosticIds.WallClock, 1, "'Environment.TickCount64' reads the system uptime", "Verb Timed → Timed.Execute → Environment.TickCount64"),
        Reachable(DiagnosticIds.WallClock, 2, "'TimeProvider.GetUtcNow' reads a clock", "Verb Timed → Timed.Execute → TimeProvider.GetUtcNow"),
        Reachable(DiagnosticIds.WallClock, 3, "'TimeProvider.System' reads a clock", "Verb Timed → Timed.Execute → TimeProvider.System"),
        Reachable(DiagnosticIds.WallClock, 4, "'new Timer' schedules by the clock", "Verb Timed → Timed.Execute → new Timer"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_clock_read_in_a_static_initializer_that_a_verb_reads_is_reported_through_the_initialization() => Analyzer("""
        public static class Boot
        {
            public static readonly DateTime Started = {|#0:DateTime.UtcNow|};
        }

        public sealed class Uptime() : Verb<Args>("uptime", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                if (Boot.Started.Year > 2000) ctx.Refuse("late");
            }
        }
        """,
        Reachable(DiagnosticIds.WallClock, 0, "'DateTime.UtcNow' reads the wall clock",
            "Verb Uptime → Uptime.Execute → Boot (static initialization) → Boot.Started (initializer) → DateTime.UtcNow"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_clock_read_in_a_verb_field_initializer_is_reported() => Analyzer("""
        public sealed class Created() : Verb<Args>("created", 1, Scope.Branch)
        {
            private readonly DateTimeOffset _created = {|#0:DateTimeOffset.UtcNow|};

            protected override void Execute(VerbContext ctx, Args args)
            {
            }
        }
        """,
        Reachable(DiagnosticIds.WallClock, 0, "'DateTimeOffset.UtcNow' reads the wall clock", "Verb Created → Created._created (initializer) → DateTimeOffset.UtcNow"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Non_verb_code_reads_DateTime_UtcNow_freely() => Analyzer("""
        public sealed class Outbox
        {
            public DateTime Stamp() => DateTime.UtcNow;

            public long Elapsed() => System.Diagnostics.Stopwatch.GetTimestamp();
        }

        public sealed class Quiet() : Verb<Args>("quiet", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse("never");
        }
        """);

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_verb_that_reads_the_ops_own_time_is_clean() => Analyzer("""
        public sealed class Stamp() : Verb<Args>("stamp", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var at = ctx.At;
                var day = ctx.AtTime.UtcDateTime.Date;
                if (day.Year < 2000 || at < 0) ctx.Refuse("too-early");
            }
        }
        """);
}
