using System.Globalization;
using Ledger.Kernel;
using MessagePack;

namespace Ledger.Benchmarks;

/// <summary>The dataset the kernel issue names: N ops of a posting verb over 50 branches and 10k accounts.</summary>
public sealed class PostingDataset
{
    public static readonly BranchTable<long> BranchTotals = new("branch-totals");
    public static readonly CounterTable Accounts = new("accounts");
    public static readonly Post PostVerb = new();
    public static readonly Manifest Manifest = new ManifestBuilder("bench", 1).Tables(BranchTotals, Accounts).Add(PostVerb).Build();

    public PostingDataset(int ops, int branches = 50, int accounts = 10_000, int seed = 42, bool everyAccountOnce = false)
    {
        var random = new Random(seed);
        var accountNames = Enumerable.Range(0, accounts).Select(i => "acct:" + i.ToString("D7", CultureInfo.InvariantCulture)).ToArray();
        var authors = Enumerable.Range(0, branches).Select(i => new AuthorId("till-" + i.ToString("D2", CultureInfo.InvariantCulture))).ToArray();
        var seqs = new ulong[branches];
        var tips = new Hash32[branches];
        Ops = new Op[ops];
        AccountOf = new string[ops];
        CentsOf = new long[ops];
        for (var i = 0; i < ops; i++)
        {
            var b = random.Next(branches);
            var account = everyAccountOnce ? accountNames[i % accounts] : accountNames[random.Next(accounts)];
            var cents = (long)random.Next(1, 100_000) * (random.Next(4) == 0 ? -1 : 1);
            var op = Manifest.CreateOp(PostVerb, new PostArgs(account, cents), authors[b], ++seqs[b], tips[b],
                new BranchId(authors[b], "main"), 1_767_225_600_000 + i, Guid.Empty);
            tips[b] = op.ChainHash;
            Ops[i] = op;
            AccountOf[i] = account;
            CentsOf[i] = cents;
        }
    }

    public Op[] Ops { get; }

    /// <summary>The same postings, pre-decoded, for the plain-dictionary baseline.</summary>
    public string[] AccountOf { get; }

    public long[] CentsOf { get; }

    public LedgerKernel NewKernel(bool provenance = false) =>
        new(new KernelOptions { Manifests = new ManifestCatalog(Manifest), TrackProvenance = provenance });

    public LedgerKernel Fold(int count, bool provenance = false)
    {
        var kernel = NewKernel(provenance);
        var ops = Ops;
        for (var i = 0; i < count; i++) kernel.Apply(ops[i]);
        return kernel;
    }
}

[MessagePackObject]
public sealed record PostArgs([property: Key(0)] string Account, [property: Key(1)] long Cents);

/// <summary>Posts cents to a general-ledger account (Shared counter) and the till's running total (branch row).</summary>
public sealed class Post() : Verb<PostArgs>("post", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, PostArgs args)
    {
        ctx.Put(PostingDataset.BranchTotals, "total", ctx.GetOrDefault(PostingDataset.BranchTotals, "total", 0L) + args.Cents);
        ctx.Add(PostingDataset.Accounts, args.Account, args.Cents);
    }
}
