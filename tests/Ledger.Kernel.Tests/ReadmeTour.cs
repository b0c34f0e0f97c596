// The README's five-minute tour, compiled and run by ReadmeTourTests. Edit the tour here, then copy the
// region between the markers into README.md (the test fails until both agree). The region is a whole file as
// printed, using lines included (in the global namespace, as a reader pastes it); the packaging test
// (tests/Ledger.Packaging.Tests) compiles and runs the README's block itself against the packed packages.
// README-TOUR-BEGIN
using Ledger.Kernel;
using MessagePack;

// 1. Declare tables (kind fixed forever) and verbs (name, version, scope).
public static class Shop
{
    public static readonly BranchTable<long> Stock = new("stock");        // one till's rows
    public static readonly CounterTable Sales = new("sales");             // Shared: adds commute

    public static readonly Manifest V1 = new ManifestBuilder("shop", 1)
        .Tables(Stock, Sales)
        .Add(new Sell())
        .Build();                                                         // V1.Id = content hash
}

[MessagePackObject]
public sealed record SellArgs([property: Key(0)] string Sku, [property: Key(1)] long Cents);

public sealed class Sell() : Verb<SellArgs>("sell", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, SellArgs args)
    {
        var onHand = ctx.GetOrDefault(Shop.Stock, args.Sku, 10L);
        if (onHand == 0) ctx.Refuse("sold-out");                          // → $refused row "rule:sold-out"
        ctx.Put(Shop.Stock, args.Sku, onHand - 1);                        // own branch only
        ctx.Add(Shop.Sales, "total", args.Cents);                         // write-only Shared merge
    }
}

public static class Tour
{
    public static (Hash32 Live, Hash32 Restored) Run()
    {
        // 2. A kernel folds ops; an op is a fact authored on a device (its own hash chain).
        var kernel = new LedgerKernel(Shop.V1);
        var till = new AuthorId("till-1");
        var branch = new BranchId(till, "main");
        var sell = (Sell)Shop.V1.Verbs[0];
        var log = new List<SequencedOp>();
        var tip = Hash32.Zero;
        for (ulong seq = 1; seq <= 3; seq++)
        {
            // Edge inputs (time, ids) are minted by the app, outside the kernel.
            var op = Shop.V1.CreateOp(sell, new SellArgs("lamp", 1_999), till, seq, tip, branch,
                at: 1_767_225_600_000 + (long)seq, opId: Guid.CreateVersion7(DateTimeOffset.UnixEpoch));
            tip = op.ChainHash;
            log.Add(new SequencedOp(op));
            kernel.Apply(op);
        }

        // 3. Read the state; every row is a fold of signed facts.
        Console.WriteLine(kernel.State.Get(Shop.Sales, "total"));         // 5997

        // 4. Prove the books: replay the log into a fresh kernel, compare hashes.
        var proof = BooksProof.Prove(kernel, log);
        Console.WriteLine(proof.Match);                                   // True

        // 5. Checkpoint → bytes → bootstrap elsewhere; verified before it is trusted.
        var bytes = CheckpointCodec.Encode(kernel.CreateCheckpoint());
        var restored = LedgerKernel.Restore(bytes, new KernelOptions().Use(Shop.V1));
        return (kernel.StateHash(), restored.StateHash());                // equal
    }
}
// README-TOUR-END
