using Ledger.Kernel;

namespace Ledger.Migration.Tests;

/// <summary>Logs in which some tills adopt v2 part-way and others stay on v1 (offline, appending v1 ops after
/// the others adopted), in a relay order (position = index).</summary>
internal static class MixedLogs
{
    public static List<SequencedOp> Generate(int seed, int ops = 120, int tills = 4, string prefix = "till")
    {
        var random = new Random(seed);
        var chains = Enumerable.Range(0, tills).Select(i => new Till(new AuthorId($"{prefix}-{i}"))).ToArray();
        // Tills 0 and 1 adopt at some point; the last till never does (the offline van).
        var adoptAt = chains.Select((_, i) => i < tills - 1 && i < 2 ? random.Next(ops / 4, ops) : int.MaxValue).ToArray();
        var log = new List<SequencedOp>();
        var skus = new[] { "lamp", "desk", "rug" };
        for (var step = 0; step < ops; step++)
        {
            var t = random.Next(tills);
            var till = chains[t];
            if (!till.OnV2 && step >= adoptAt[t])
            {
                log.Add(new SequencedOp(till.Next(Shop.V2, Shop.Adopt, new AdoptArgs(1, 2)), log.Count));
                till.OnV2 = true;
                continue;
            }

            var roll = random.Next(10);
            var sku = skus[random.Next(skus.Length)];
            var op = roll switch
            {
                < 5 => till.OnV2
                    ? till.Next(Shop.V2, Shop.PostSaleV2, new SaleArgs($"inv-{step}", random.Next(-10, 5000)))
                    : till.Next(Shop.V1, Shop.PostSaleV1, new SaleArgs($"inv-{step}", random.Next(-10, 5000))),
                < 8 => till.OnV2
                    ? till.Next(Shop.V2, Shop.SetStockV2Verb, new StockArgs(sku, random.Next(0, 50)))
                    : till.Next(Shop.V1, Shop.SetStockV1, new StockArgs(sku, random.Next(0, 50))),
                _ => till.Next(till.OnV2 ? Shop.V2 : Shop.V1, Shop.SetPriceV1, new PriceArgs(sku, random.Next(100, 900))),
            };
            log.Add(new SequencedOp(op, log.Count));
        }

        return log;
    }

    private sealed class Till(AuthorId author)
    {
        private ulong _seq;
        private Hash32 _tip;
        private long _at = 1_767_225_600_000;

        public bool OnV2 { get; set; }

        public Op Next<TArgs>(Manifest manifest, Verb<TArgs> verb, TArgs args)
        {
            _at += 997;
            var op = manifest.CreateOp(verb, args, author, ++_seq, _tip, new BranchId(author, "main"), _at, Guid.Empty);
            _tip = op.ChainHash;
            return op;
        }
    }
}
