using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>[DeterminismWaiver("reason")] is the one way to exempt code, and it needs its reason.</summary>
public class WaiverTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task A_waiver_with_a_reason_exempts_a_deliberately_nondeterministic_verb() => Analyzer("""
        [DeterminismWaiver("test fixture: the replay gate must catch a verb with hidden state")]
        public sealed class Leaky() : Verb<Args>("leaky", 1, Scope.Shared)
        {
            private static long _calls;

            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse(Interlocked.Increment(ref _calls) > 1 ? "again" : "first");
        }
        """);

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_waived_helper_is_neither_reported_nor_followed_but_other_paths_still_are() => Analyzer("""
        public static class Diagnostics
        {
            [DeterminismWaiver("timing for a log line; the value never reaches state")]
            public static long Elapsed() => System.Diagnostics.Stopwatch.GetTimestamp() + Machine();

            public static long Machine() => {|#0:Environment.ProcessorCount|};

            [DeterminismWaiver("a counter for metrics only")]
            public static long Folds;
        }

        public sealed class Traced() : Verb<Args>("traced", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                Diagnostics.Elapsed();
                Diagnostics.Folds++;
                if (Diagnostics.Machine() > 64) ctx.Refuse("big");
            }
        }
        """,
        Reachable(DiagnosticIds.Environment, 0, "'Environment.ProcessorCount' reads the process environment", "Verb Traced → Traced.Execute → Diagnostics.Machine → Environment.ProcessorCount"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_waiver_with_an_empty_or_whitespace_reason_is_reported() => Analyzer("""
        [{|#0:DeterminismWaiver("")|}]
        public sealed class Empty() : Verb<Args>("empty", 1, Scope.Branch)
        {
            [{|#1:DeterminismWaiver("   ")|}]
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse(DateTime.Now.ToString(CultureInfo.InvariantCulture));
        }
        """,
        Diagnostic(DiagnosticIds.WaiverWithoutReason).WithLocation(0).WithArguments("Empty"),
        Diagnostic(DiagnosticIds.WaiverWithoutReason).WithLocation(1).WithArguments("Empty.Execute"));
}
