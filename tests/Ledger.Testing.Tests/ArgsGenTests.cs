using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.TestDomain;
using MessagePack;

namespace Ledger.Testing.Tests;

/// <summary>Generators of an app's argument types from their MessagePack shape: no generator written by hand.</summary>
public class ArgsGenTests
{
    public enum Channel
    {
        Till = 1,
        Web = 5,
        Phone = 9,
    }

    [MessagePackObject]
    public sealed record Line([property: Key(0)] string Sku, [property: Key(1)] int Quantity, [property: Key(2)] decimal Price);

    [MessagePackObject]
    public sealed record Order(
        [property: Key(0)] string Customer,
        [property: Key(1)] Channel Channel,
        [property: Key(2)] IReadOnlyList<Line> Lines,
        [property: Key(3)] long? Discount,
        [property: Key(4)] Guid Reference,
        [property: Key(5)] byte[] Memo,
        [property: Key(6)] bool Express,
        [property: Key(7)] ulong Sequence);

    [MessagePackObject]
    public sealed class Settable
    {
        [Key(0)]
        public string Name { get; set; } = "";

        [Key(1)]
        public short Level { get; set; }
    }

    [MessagePackObject]
    public sealed record WithDictionary([property: Key(0)] string Name, [property: Key(1)] Dictionary<string, int> Counts);

    [Fact]
    public void Nested_records_enums_lists_nullables_and_scalars_are_generated_and_round_trip_through_messagepack()
    {
        var orders = LedgerGen.ArgsFor<Order>(["c1", "c2"]).Sample(300, new Rnd(42UL), 10);
        Assert.All(orders, o =>
        {
            Assert.Contains(o.Customer, new[] { "c1", "c2" });
            Assert.True(Enum.IsDefined(o.Channel));
            Assert.InRange(o.Lines.Count, 0, 3);
            Assert.All(o.Lines, l => Assert.Contains(l.Sku, new[] { "c1", "c2" }));
            var bytes = MessagePackSerializer.Serialize(o);
            Assert.Equal(bytes, MessagePackSerializer.Serialize(MessagePackSerializer.Deserialize<Order>(bytes)));
        });

        // Every shape shows up: not one constant value.
        Assert.Contains(orders, o => o.Discount is null);
        Assert.Contains(orders, o => o.Discount is < 0);
        Assert.Contains(orders, o => o.Lines.Count == 3);
        Assert.Equal(3, orders.Select(o => o.Channel).Distinct().Count());
        Assert.True(orders.Select(o => o.Reference).Distinct().Count() > 250);

        var settable = LedgerGen.ArgsFor<Settable>().Sample(50, new Rnd(1UL), 10);
        Assert.All(settable, s => Assert.Contains(s.Name, LedgerGen.DefaultKeys));
        Assert.True(settable.Select(s => s.Level).Distinct().Count() > 10);
    }

    [Fact]
    public void The_same_seed_generates_the_same_values()
    {
        var a = LedgerGen.ArgsFor<Order>().Sample(20, new Rnd(7UL), 10).Select(o => MessagePackSerializer.Serialize(o));
        var b = LedgerGen.ArgsFor<Order>().Sample(20, new Rnd(7UL), 10).Select(o => MessagePackSerializer.Serialize(o));
        Assert.Equal(a, b);
    }

    [Fact]
    public void A_type_that_cannot_be_generated_is_refused_naming_the_member()
    {
        var e = Assert.Throws<ArgumentException>(() => LedgerGen.ArgsFor<WithDictionary>());
        Assert.Contains("WithDictionary.Counts", e.Message);
        Assert.Contains("VerbCase.Of", e.Message);
    }

    [Fact]
    [Trait("Risk", "D1")]
    public void An_app_domain_checked_with_generated_args_only_needs_its_verbs_listed()
    {
        var spec = new LogSpec(TestManifest.V1,
            VerbCase.Of(TestManifest.PostSale, weight: 3),
            VerbCase.Of(TestManifest.MoveStock),
            VerbCase.Of(TestManifest.AddTally),
            VerbCase.Of(TestManifest.AddTag),
            VerbCase.Of(TestManifest.SetPrice),
            VerbCase.Of(TestManifest.PutNote),
            VerbCase.Of(TestManifest.TakeUnit),
            VerbCase.Of(TestManifest.StockPool))
        { Authors = 3, MaxOps = 60 };
        ReplayAssert.Check(TestManifest.NewKernel, spec, cases: 15, seed: 5);
    }
}
