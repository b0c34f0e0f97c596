using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Sync.AspNetCore;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.Http;
using SiteBooks.Domain;

namespace SiteBooks;

/// <summary>The tills sync through a real HTTP relay: Kestrel on loopback (a free port), a SQLite relay store,
/// members only, every request signed (RFC 9421). Each till trades offline, then syncs over HTTP; prints
/// <c>HTTP relay=http://127.0.0.1:&lt;port&gt; pushes=&lt;n&gt; pulls=&lt;n&gt; authFailures=0 distinctHashes=1</c>.</summary>
public static class HttpRelayDemo
{
    /// <summary>Runs the scenario; returns true when every till holds the same books and no request was refused.</summary>
    public static async Task<bool> RunAsync(int seed, TextWriter output)
    {
        var folder = Path.Combine(Path.GetTempPath(), "sitebooks-http-" + seed.ToString(CultureInfo.InvariantCulture) + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        try
        {
            return await RunInAsync(folder, seed, output);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<bool> RunInAsync(string folder, int seed, TextWriter output)
    {
        const string ledger = "sitebooks-http";
        var admin = new AuthorId("sitebooks-admin");
        using var adminKey = Key("sitebooks-admin", seed, 0);
        // Members only: the relay knows the admin's public key; each till shows a grant from it and signs every request.
        var options = new LedgerRelayHostOptions { StorePath = Path.Combine(folder, "relay.db"), Ledger = ledger, AdminKey = adminKey.Public };
        options.Urls.Clear();
        options.Urls.Add("http://127.0.0.1:0");
        await using var host = await LedgerRelayHost.StartAsync(options);
        var url = host.Urls[0];
        var relay = host.Server.Options.Ledgers[0].Relay;
        var random = new Random(seed);
        var labels = new[] { "site-a-till-9", "site-b-till-9", "site-c-till-9" };
        var nodes = new List<DeviceNode>();
        var clients = new List<(HttpClient Http, HttpRelayClient Client)>();
        try
        {
            foreach (var label in labels)
            {
                var key = Key(label, seed, 0);
                var node = (await DeviceNode.InceptAsync(new NodeOptions { Ledger = ledger, Manifests = Books.History(), TrustedRelay = relay.CheckpointVerifierKey },
                    new InMemoryNodeStore(), key, label, Key(label, seed, 1).Public.Digest));
                nodes.Add(node);
                var grant = RelayLedger.IssueMembership(ledger, admin, adminKey, node.Author);
                var signer = new RequestSigner(node.Author, () => key, grant.Bytes);
                var http = new HttpClient(new RequestSigningHandler(signer, new SocketsHttpHandler())) { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromSeconds(30) };
                clients.Add((http, new HttpRelayClient(http, new HttpRelayClientOptions { Ledger = ledger })));
            }

            // Offline trading at every till, then sync rounds over HTTP until nothing moves (bounded).
            foreach (var node in nodes)
            {
                for (var i = 0; i < 40; i++)
                {
                    var sku = "SKU-" + random.Next(1, 6).ToString(CultureInfo.InvariantCulture);
                    await node.AppendAsync(Books.V2, Books.ReceiveStock, new StockArgs(sku, random.Next(1, 9)));
                }
            }

            for (var round = 0; round < 10; round++)
            {
                var moved = 0;
                for (var i = 0; i < nodes.Count; i++)
                {
                    var result = await nodes[i].SyncAsync(clients[i].Client);
                    moved += result.Pulled + result.Acknowledged + (result.Offline ? 1 : 0);
                }

                if (moved == 0) break;
            }

            var distinct = nodes.Select(n => n.StateHash()).Distinct().Count();
            var server = host.Server;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"HTTP relay={url} pushes={server.Pushes} pulls={server.Reads} authFailures={server.AuthFailures} distinctHashes={distinct}"));

            // Beacons (G2): every till reports itself to the relay; site-c's till is made to diverge on purpose — its
            // beacon reports the hash of a fold that differs from the others' at the same relay prefix — and the relay
            // computes the divergence alert from the beacons alone, without reading any device's log.
            for (var i = 0; i < nodes.Count; i++)
            {
                var beacon = NodeBeacon.Of(nodes[i]);
                if (i == 2) beacon = beacon with { StateHash = Hash32.Sha256("a fold that differs"u8) };
                await clients[i].Client.SendBeaconAsync(BeaconWire.Sign(beacon, Key(labels[i], seed, 0)));
            }

            var alerts = server.GetAlerts(ledger);
            foreach (var alert in alerts) output.WriteLine(alert.ToString());
            var expected = new[] { nodes[0].Author.Value, nodes[2].Author.Value }.Order(StringComparer.Ordinal).ToArray();
            var diverged = alerts.Count == 1 && alerts[0].Code == FleetAlertCodes.Divergence && alerts[0].Nodes.SequenceEqual(expected) && alerts[0].Prefix == relay.Size;
            return distinct == 1 && diverged && server.AuthFailures == 0 && nodes.All(n => n.Durability().Local == 0);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
            foreach (var (http, _) in clients) http.Dispose();
        }
    }

    private static SigningKey Key(string label, int seed, uint index) =>
        SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"sitebooks-http/{seed}/{label}/{index}"))).ToArray());
}
