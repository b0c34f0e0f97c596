using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.Testing;

namespace Ledger.TestDomain;

/// <summary>The test domain's manifest and log specs.</summary>
public static class TestManifest
{
    public static readonly PutNote PutNote = new();
    public static readonly RemoveNote RemoveNote = new();
    public static readonly MoveStock MoveStock = new();
    public static readonly PostSale PostSale = new();
    public static readonly AddTally AddTally = new();
    public static readonly OfferPeak OfferPeak = new();
    public static readonly AddTag AddTag = new();
    public static readonly SetPrice SetPrice = new();
    public static readonly StockPool StockPool = new();
    public static readonly TakeUnit TakeUnit = new();
    public static readonly SharedWritesBranch SharedWritesBranch = new();
    public static readonly SwallowsViolation SwallowsViolation = new();
    public static readonly MixedMerge MixedMerge = new();
    public static readonly WritesUndeclared WritesUndeclared = new();
    public static readonly BranchTouchesClaim BranchTouchesClaim = new();
    public static readonly ThrowsHalfway ThrowsHalfway = new();
    public static readonly EraseSubject EraseSubject = new();

    public static readonly Manifest V1 = new ManifestBuilder("testdomain", 1)
        .Tables(Tables.All)
        .Add(PutNote, RemoveNote, MoveStock, PostSale, AddTally, OfferPeak, AddTag, SetPrice, StockPool, TakeUnit,
            SharedWritesBranch, SwallowsViolation, MixedMerge, WritesUndeclared, BranchTouchesClaim, ThrowsHalfway, EraseSubject)
        .Build();

    public static LedgerKernel NewKernel() => new(new KernelOptions { Manifests = new ManifestCatalog(V1) });

    private static readonly Gen<string> Keys = Gen.Elements("a", "b", "c", "ä", "𝄞", "Z");
    private static readonly Gen<long> Amounts = Gen.Choose(-50, 100).Select(i => (long)i);

    /// <summary>A spec exercising every scope, every merge kind, claims and every kind of refusal.</summary>
    public static LogSpec Spec(int maxOps = 60) => new(V1,
        VerbCase.Of(PutNote, Gen.Zip(Keys, Gen.Elements("x", "y", "z")).Select(t => new NoteArgs(t.Item1, t.Item2)), 3),
        VerbCase.Of(RemoveNote, Keys.Select(k => new NoteArgs(k, "")), 1),
        VerbCase.Of(MoveStock, Gen.Zip(Keys, Amounts).Select(t => new AmountArgs(t.Item1, t.Item2)), 3),
        VerbCase.Of(PostSale, Gen.Zip(Keys, Amounts).Select(t => new SaleArgs("inv", t.Item1, t.Item2)), 3),
        VerbCase.Of(AddTally, Gen.Zip(Keys, Amounts).Select(t => new AmountArgs(t.Item1, t.Item2)), 2),
        VerbCase.Of(OfferPeak, Gen.Zip(Keys, Amounts).Select(t => new AmountArgs(t.Item1, t.Item2)), 2),
        VerbCase.Of(AddTag, Gen.Zip(Keys, Keys).Select(t => new TagArgs(t.Item1, t.Item2)), 2),
        VerbCase.Of(SetPrice, Gen.Zip(Keys, Amounts).Select(t => new AmountArgs(t.Item1, t.Item2)), 2),
        VerbCase.Of(StockPool, Gen.Choose(-1, 2).Select(u => new UnitsArgs(u, "restock")), 2),
        VerbCase.Of(TakeUnit, Gen.Elements("o1", "o2").Select(r => new UnitsArgs(1, r)), 4),
        VerbCase.Of(SharedWritesBranch, Keys.Select(k => new NoteArgs(k, "x")), 1),
        VerbCase.Of(SwallowsViolation, Keys.Select(k => new NoteArgs(k, "x")), 1),
        VerbCase.Of(MixedMerge, Gen.Zip(Keys, Amounts).Select(t => new AmountArgs(t.Item1, t.Item2)), 1),
        VerbCase.Of(WritesUndeclared, Gen.Zip(Keys, Amounts).Select(t => new AmountArgs(t.Item1, t.Item2)), 1),
        VerbCase.Of(BranchTouchesClaim, Gen.Constant(new UnitsArgs(5, "x")), 1),
        VerbCase.Of(ThrowsHalfway, Gen.Zip(Keys, Amounts).Select(t => new AmountArgs(t.Item1, t.Item2)), 1),
        VerbCase.OfRaw(PostSale, Gen.Elements(new byte[] { 0xc1 }, new byte[] { 0x93, 0x01 }, Array.Empty<byte>()), 1))
    {
        MaxOps = maxOps,
    };
}
