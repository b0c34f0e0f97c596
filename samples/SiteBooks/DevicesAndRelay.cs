using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using SiteBooks.Domain;

namespace SiteBooks;

/// <summary>Three signing devices and a relay, in process, on SQLite files in a temporary folder: one till
/// goes offline, keeps working, comes back. Prints the durability ladder as measured.</summary>
public static class DevicesAndRelay
{
    /// <summary>Runs the scenario; returns true when every witness holds.</summary>
    public static async Task<bool> RunAsync(int seed, TextWriter output)
    {
        var folder = Path.Combine(Path.GetTempPath(), "sitebooks-" + seed.ToString(CultureInfo.InvariantCulture) + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        try
        {
            return await RunInAsync(folder, seed, output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<bool> RunInAsync(string folder, int seed, TextWriter output)
    {
        const string ledger = "sitebooks-demo";
        var clock = new DemoClock(1_767_254_400_000);
        var random = new Random(seed);
        using var relayStore = new SqliteRelayStore(Path.Combine(folder, "relay.db"));
        var relay = new Relay(new RelayOptions { Ledger = ledger }, relayStore);
        var labels = new[] { "site-a-till-1", "site-b-till-1", "site-c-till-1" };
        var links = labels.Select(_ => new InMemoryRelayTransport(relay)).ToArray();
        var nodes = new DeviceNode[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            nodes[i] = await DeviceNode.InceptAsync(
                new NodeOptions { Ledger = ledger, Manifests = Books.History(), Time = clock },
                new SqliteNodeStore(Path.Combine(folder, labels[i] + ".db"), capBytes: 4L * 1024 * 1024),
                Key(labels[i], seed, 0), labels[i], Key(labels[i], seed, 1).Public.Digest);
        }

        try
        {
            var invoices = 0;
            async Task Trade(DeviceNode node, int ops)
            {
                for (var i = 0; i < ops; i++)
                {
                    clock.Advance(TimeSpan.FromSeconds(random.Next(5, 120)));
                    if (i % 3 == 2)
                    {
                        // A sale on account: the invoice moves revenue, tax and receivables in the shared books.
                        var invoice = "INV-" + (++invoices).ToString(CultureInfo.InvariantCulture);
                        await node.AppendAsync(Books.V2, Books.PostInvoiceV2, new Domain.InvoiceArgs(invoice, "walk-in", random.Next(100, 50_000)));
                        continue;
                    }

                    var sku = "SKU-" + random.Next(1, 6).ToString(CultureInfo.InvariantCulture);
                    await node.AppendAsync(Books.V2, Books.ReceiveStock, new Domain.StockArgs(sku, random.Next(1, 9)));
                }
            }

            // Morning: everyone trades and syncs.
            foreach (var node in nodes) await Trade(node, 40);
            for (var i = 0; i < nodes.Length; i++) await nodes[i].SyncAsync(links[i]);

            // Site B loses its network and keeps trading; its work is Local, never counted safe.
            links[1].Online = false;
            await Trade(nodes[1], 60);
            await nodes[1].SyncAsync(links[1]);
            clock.Advance(TimeSpan.FromMinutes(30));
            var offline = nodes[1].Durability();
            output.WriteLine(offline.ToString() + " (site-b offline)");
            // Two days without a network: the device says so itself (no server reads its logs).
            clock.Advance(TimeSpan.FromDays(2));
            var offlineHealth = nodes[1].Health();

            // Back online: the tail is pushed, everything pulled; the ladder empties and the books agree.
            links[1].Online = true;
            for (var round = 0; round < 2; round++)
            {
                for (var i = 0; i < nodes.Length; i++) await nodes[i].SyncAsync(links[i]);
            }

            var online = nodes[1].Durability();
            output.WriteLine(online.ToString() + " (site-b back online)");
            var onlineHealth = nodes[1].Health();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"HEALTH site-b offline2d={Describe(offlineHealth)} online={Describe(onlineHealth)}"));
            var hashes = nodes.Select(n => n.StateHash()).Distinct().Count();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SYNC devices={nodes.Length} relayOps={relay.Size} distinctHashes={hashes} roundTrips={links.Sum(l => l.RoundTrips)}"));
            var synced = offline.Local > 0 && offline.Safe > 0 && online.Local == 0 && online.Syncing == 0 && hashes == 1
                && offlineHealth.Findings.Any(f => f.Code == HealthCodes.UnacknowledgedTooLong) && onlineHealth.IsHealthy;

            // The relay's disk is lost: rebuild it from the three tills' stores and compare the books.
            var rebuilt = new Relay(new RelayOptions { Ledger = ledger }, new InMemoryRelayStore());
            var report = await RelayRebuild.RunAsync(nodes.Select(n => n.Store).ToArray(), rebuilt);
            var before = Fold(await OrderAsync(relay));
            var after = Fold(await OrderAsync(rebuilt));
            var maxDiff = MaxDiffCents(before, after);
            var match = before.StateHash() == after.StateHash() && report.Complete;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"REBUILD branches={report.Authors} maxDiff={maxDiff}c match={(match ? 'Y' : 'N')} lost={report.LostPositions.Count}"));

            // Site A's till is wiped after working offline; its last export brings everything back.
            links[0].Online = false;
            await Trade(nodes[0], 25);
            var export = (await nodes[0].ExportAsync());
            var liveHash = nodes[0].StateHash();
            var restoredPath = Path.Combine(folder, "site-a-restored.db");
            await using var restored = await DeviceNode.ImportAsync(
                new NodeOptions { Ledger = ledger, Manifests = Books.History(), Time = clock },
                new SqliteNodeStore(restoredPath), export, Key(labels[0], seed, 0));
            var restoredMatch = restored.StateHash() == liveHash && restored.Durability().Local == nodes[0].Durability().Local;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESTORE ops={restored.LastRestore!.Ops} unacknowledged={restored.LastRestore.Unacknowledged} match={(restoredMatch ? 'Y' : 'N')}"));
            return synced && match && maxDiff == 0 && report.LostPositions.Count == 0 && restoredMatch;
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    private static string Describe(NodeHealth health) =>
        health.IsHealthy ? "healthy" : $"{health.Worst}({string.Join('+', health.Findings.Select(f => f.Code))})";

    private static async Task<List<SignedOp>> OrderAsync(Relay relay)
    {
        var order = new List<SignedOp>();
        for (long from = 0; from < relay.Size;)
        {
            var page = await relay.PullAsync(from);
            order.AddRange(page.Ops.Select(o => SignedOpCodec.Decode(o.Bytes)));
            from += page.Ops.Count;
        }

        return order;
    }

    /// <summary>The books as a fresh replica folds a relay order.</summary>
    private static LedgerKernel Fold(IEnumerable<SignedOp> order)
    {
        var kernel = new LedgerKernel(KeyEvents.Use(new KernelOptions { Manifests = Books.History(), CheckDeterminism = true }));
        long position = 0;
        foreach (var op in order) kernel.Apply(op.Op, position++);
        kernel.AdvanceRelayFrontier(long.MaxValue);
        return kernel;
    }

    /// <summary>The largest difference, in cents, between the two books' account balances.</summary>
    private static Int128 MaxDiffCents(LedgerKernel a, LedgerKernel b)
    {
        var left = a.State.Rows(Books.Accounts).ToDictionary(r => r.Key, r => r.Value);
        var right = b.State.Rows(Books.Accounts).ToDictionary(r => r.Key, r => r.Value);
        Int128 max = 0;
        foreach (var key in left.Keys.Union(right.Keys))
        {
            var d = left.GetValueOrDefault(key) - right.GetValueOrDefault(key);
            max = Int128.Max(max, d < 0 ? -d : d);
        }

        return max;
    }

    private static SigningKey Key(string label, int seed, uint index) =>
        SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"sitebooks/{seed}/{label}/{index}"))).ToArray());

    /// <summary>The demo's edge clock: moves only when the scenario says so.</summary>
    private sealed class DemoClock(long startUnixMs) : TimeProvider
    {
        private long _now = startUnixMs;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, (long)by.TotalMilliseconds);

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Read(ref _now));
    }
}
