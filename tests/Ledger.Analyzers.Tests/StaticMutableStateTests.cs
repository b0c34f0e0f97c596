using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0010: static state outlives the op and differs between replicas.</summary>
public class StaticMutableStateTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Mutable_static_fields_settable_static_properties_and_mutated_static_collections_are_reported() => Analyzer("""
        public static class Memo
        {
            public static long Calls;
            public static string Last { get; set; } = "";
            public static readonly Dictionary<string, long> Cache = new();
            public static readonly long[] Slots = new long[4];
        }

        public sealed class Count() : Verb<Args>("count", 1, Scope.Shared)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                Interlocked.Increment(ref {|#0:Memo.Calls|});
                {|#1:Memo.Last|} = args.Key;
                {|#2:Memo.Cache|}.Add(args.Key, args.Amount);
                {|#3:Memo.Slots|}[0] = args.Amount;
            }
        }
        """,
        Reachable(DiagnosticIds.StaticMutableState, 0, "'Memo.Calls' is a static field that is not readonly", "Verb Count → Count.Execute → Memo.Calls"),
        Reachable(DiagnosticIds.StaticMutableState, 1, "'Memo.Last' is a settable static property", "Verb Count → Count.Execute → Memo.Last"),
        Reachable(DiagnosticIds.StaticMutableState, 2, "'Memo.Cache' is static state that this code changes", "Verb Count → Count.Execute → Memo.Cache"),
        Reachable(DiagnosticIds.StaticMutableState, 3, "'Memo.Slots' is static state that this code changes", "Verb Count → Count.Execute → Memo.Slots"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Reading_static_readonly_tables_and_constants_is_clean() => Analyzer("""
        public static class Rates
        {
            public const long Basis = 10_000;
            public static readonly Dictionary<string, long> Vat = new() { ["de"] = 1_900 };
            public static readonly long[] Steps = [1, 2, 3];
            public static readonly BranchTable<long> Totals = new("totals");
        }

        public sealed class Tax() : Verb<Args>("tax", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var rate = Rates.Vat.TryGetValue(args.Key, out var r) ? r : Rates.Steps[0];
                ctx.Put(Rates.Totals, args.Key, args.Amount * rate / Rates.Basis + Rates.Vat.Count);
            }
        }
        """);
}
