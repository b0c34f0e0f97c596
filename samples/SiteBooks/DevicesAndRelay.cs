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
        var nodes = labels.Select((label, i) => DeviceNode.Open(
            new NodeOptions { Ledger = ledger, Manifests = Books.History(), Time = clock },
            new SqliteNodeStore(Path.Combine(folder, label + ".db"), capBytes: 4L * 1024 * 1024),
            Key(label, seed, 0), label, Key(label, seed, 1).Public.Digest)).ToArray();
        try
        {
            async Task Trade(DeviceNode node, int ops)
            {
                for (var i = 0; i < ops; i++)
                {
                    clock.Advance(TimeSpan.FromSeconds(random.Next(5, 120)));
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

            // Back online: the tail is pushed, everything pulled; the ladder empties and the books agree.
            links[1].Online = true;
            for (var round = 0; round < 2; round++)
            {
                for (var i = 0; i < nodes.Length; i++) await nodes[i].SyncAsync(links[i]);
            }

            var online = nodes[1].Durability();
            output.WriteLine(online.ToString() + " (site-b back online)");
            var hashes = nodes.Select(n => n.StateHash()).Distinct().Count();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SYNC devices={nodes.Length} relayOps={relay.Size} distinctHashes={hashes} roundTrips={links.Sum(l => l.RoundTrips)}"));
            return offline.Local > 0 && offline.Safe > 0 && online.Local == 0 && online.Syncing == 0 && hashes == 1;
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
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
