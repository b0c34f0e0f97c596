using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Monitor.Tests;

/// <summary>The test domain's manifest as a buggy build of the app would ship it: the same name, version, tables and
/// verb names and versions (so the same manifest id, and the same ops on the wire), but <c>tally.add</c> adds one
/// more than it is told. A node folding with it reaches another state from the same relay prefix: a real divergence.</summary>
internal static class MiscountingManifest
{
    public static readonly MiscountingTally AddTally = new();

    public static readonly Manifest V1 = new ManifestBuilder("testdomain", 1)
        .Tables(Tables.All)
        .Add(new PutNote(), new RemoveNote(), new MoveStock(), new PostSale(), AddTally, new OfferPeak(), new AddTag(), new SetPrice(), new StockPool(),
            new TakeUnit(), new SharedWritesBranch(), new SwallowsViolation(), new MixedMerge(), new WritesUndeclared(), new BranchTouchesClaim(),
            new ThrowsHalfway(), new EraseSubject())
        .Build();

    internal sealed class MiscountingTally() : Verb<AmountArgs>("tally.add", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.Add(Tables.Balances, args.Key, args.Amount + 1);
    }
}
