using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0003: a verb is a synchronous function of the op and the state.</summary>
public class ConcurrencyTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Await_async_methods_tasks_threads_Parallel_and_PLINQ_are_reported() => Analyzer("""
        public static class Work
        {
            public static async Task<long> {|#0:LoadAsync|}()
            {
                {|#1:await {|#2:Task.Yield()|}|};
                return 1;
            }
        }

        public sealed class Busy() : Verb<Args>("busy", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var n = {|#3:Work.LoadAsync().Result|};
                {|#4:Parallel.For(0, 2, i => { })|};
                {|#5:Thread.Sleep(1)|};
                var count = {|#7:{|#6:args.Key.AsParallel()|}.Count()|};
            }
        }
        """,
        Reachable(DiagnosticIds.Concurrency, 0, "'async Work.LoadAsync' runs asynchronously", "Verb Busy → Busy.Execute → Work.LoadAsync → async Work.LoadAsync"),
        Reachable(DiagnosticIds.Concurrency, 1, "'await' suspends the verb and resumes it later", "Verb Busy → Busy.Execute → Work.LoadAsync → await"),
        Reachable(DiagnosticIds.Concurrency, 2, "'Task.Yield' runs work asynchronously", "Verb Busy → Busy.Execute → Work.LoadAsync → Task.Yield"),
        Reachable(DiagnosticIds.Concurrency, 3, "'Task<long>.Result' runs work asynchronously", "Verb Busy → Busy.Execute → Task<long>.Result"),
        Reachable(DiagnosticIds.Concurrency, 4, "'Parallel.For' runs work asynchronously", "Verb Busy → Busy.Execute → Parallel.For"),
        Reachable(DiagnosticIds.Concurrency, 5, "'Thread.Sleep' runs or coordinates threads", "Verb Busy → Busy.Execute → Thread.Sleep"),
        Reachable(DiagnosticIds.Concurrency, 6, "'ParallelEnumerable.AsParallel' runs or coordinates threads", "Verb Busy → Busy.Execute → ParallelEnumerable.AsParallel"),
        Reachable(DiagnosticIds.Concurrency, 7, "'ParallelEnumerable.Count' runs or coordinates threads", "Verb Busy → Busy.Execute → ParallelEnumerable.Count"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Async_code_outside_verbs_is_not_reported() => Analyzer("""
        public static class Sync
        {
            public static async Task PushAsync() => await Task.Delay(1);
        }

        public sealed class Plain() : Verb<Args>("plain", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse("no");
        }
        """);
}
