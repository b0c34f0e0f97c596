using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>Deterministic verbs an app team wrote that the lint failed to build (issue 21), and more of their kind:
/// each must build clean.</summary>
public class FalsePositiveTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Adding_to_the_empty_immutable_list_and_dictionary_is_not_static_state() => Analyzer("""
        public static class Tables2
        {
            public static readonly BranchTable<ImmutableList<string>> Lines = new("lines");
        }

        public sealed class Collect() : Verb<Args>("collect", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var lines = ImmutableList<string>.Empty.Add(args.Key).AddRange(["a", "b"]).Remove("a");
                var index = ImmutableDictionary<string, long>.Empty.Add(args.Key, args.Amount).SetItem("b", 2);
                var set = ImmutableSortedSet<string>.Empty.Add(args.Key);
                var array = ImmutableArray<long>.Empty.Add(args.Amount);
                ctx.Put(Tables2.Lines, args.Key, lines.Add(string.Concat(set)).Insert(0, index.Count == array.Length ? "1" : "0"));
            }
        }
        """);

    [Fact]
    [Trait("Risk", "D1")]
    public Task An_interpolation_is_judged_by_the_type_it_formats_not_by_the_operand_of_a_cast() => Analyzer("""
        public static class Tables2
        {
            public static readonly BranchTable<string> Codes = new("codes");
        }

        public sealed class Code() : Verb<Args>("code", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                long x = args.Amount;
                uint u = (uint)x;
                ctx.Put(Tables2.Codes, args.Key, $"{(uint)(x & 0xffff)}-{(ulong)x}-{(byte)x}-{x:x16}-{(int)x:X}-{u:b8}" + (ushort)x);
                ctx.Put(Tables2.Codes, "signed", {|#0:$"{(long)u}"|});
            }
        }
        """,
        Reachable(DiagnosticIds.CultureSensitive, 0, "'$\"…\"' formats long with the current culture", "Verb Code → Code.Execute → $\"…\""));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Verbs_with_immutable_collections_records_ordinal_comparisons_and_integer_formatting_build_clean() => Analyzer("""
        public sealed record Line(string Sku, long Cents, int Quantity)
        {
            public long Total => Cents * Quantity;
        }

        public sealed record Basket(ImmutableArray<Line> Lines, ImmutableSortedDictionary<string, long> Discounts);

        public static class Shop
        {
            public static readonly BranchTable<Basket> Baskets = new("baskets");
            public static readonly BranchTable<string> Receipts = new("receipts");
            public static readonly CounterTable Sales = new("sales");
            public static readonly ImmutableHashSet<string> Blocked = ImmutableHashSet.Create(StringComparer.Ordinal, "void");
        }

        public sealed class AddLine() : Verb<Args>("basket.add", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                if (Shop.Blocked.Contains(args.Key) || args.Key.StartsWith("x-", StringComparison.Ordinal)) ctx.Refuse("blocked");
                var basket = ctx.GetOrDefault(Shop.Baskets, "b", new Basket(ImmutableArray<Line>.Empty, ImmutableSortedDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal)));
                var line = new Line(args.Key.ToUpperInvariant(), args.Amount, 1);
                var existing = basket.Lines.FirstOrDefault(l => string.Equals(l.Sku, line.Sku, StringComparison.Ordinal));
                var lines = existing is null ? basket.Lines.Add(line) : basket.Lines.Replace(existing, existing with { Quantity = existing.Quantity + 1 });
                var sorted = lines.Sort((a, b) => string.CompareOrdinal(a.Sku, b.Sku));
                var next = basket with { Lines = sorted, Discounts = basket.Discounts.SetItem(line.Sku, 0) };
                ctx.Put(Shop.Baskets, "b", next);
                var total = sorted.Sum(l => l.Total);
                ctx.Put(Shop.Receipts, ctx.NewId(), $"{(uint)sorted.Length} lines, {total.ToString(CultureInfo.InvariantCulture)} cents, {(uint)(total & 0xffff)}");
                ctx.Put(Shop.Receipts, "last", string.Create(CultureInfo.InvariantCulture, $"{total}") + line.Quantity.ToString(CultureInfo.InvariantCulture));
                ctx.Add(Shop.Sales, line.Sku, total);
            }
        }
        """);
}
