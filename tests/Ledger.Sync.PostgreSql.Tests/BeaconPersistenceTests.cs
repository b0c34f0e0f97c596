using System.Text;
using System.Text.Json;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync.AspNetCore;
using Ledger.TestDomain;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>Beacons kept in PostgreSQL (risk G2): a relay restarted on the same database still shows the fleet's alert
/// before any device reports again, and the rows it keeps carry no op contents or plaintext.</summary>
public sealed class BeaconPersistenceTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    private const string Marker = "PLAINTEXT-Jane-Doe-42";

    private static SigningKey Key(string label) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes(label + "/0")).ToArray());

    [Fact]
    [Trait("Risk", "G2")]
    public async Task Beacons_kept_in_postgresql_survive_a_relay_restart_with_their_alert_and_the_rows_carry_no_op_contents_or_plaintext()
    {
        const string ledger = "pg-beacons";
        async Task<(LedgerRelayHost Host, Relay Relay, PostgreSqlRelayStore Store)> StartAsync()
        {
            var store = new PostgreSqlRelayStore(database.ConnectionString, ledger);
            var relay = new Relay(new RelayOptions { Ledger = ledger, CheckpointKey = Fleet.Key() }, store);
            return (await LedgerRelayHost.StartAsync(new LedgerRelayServer(new LedgerRelayOptions().AddLedger(relay)), ["http://127.0.0.1:0"]), relay, store);
        }

        async Task StopAsync((LedgerRelayHost Host, Relay Relay, PostgreSqlRelayStore Store) r)
        {
            await r.Host.DisposeAsync();
            r.Relay.Dispose();
            r.Store.Dispose();
        }

        var first = await StartAsync();
        var options = new NodeOptions { Ledger = ledger, Manifests = new ManifestCatalog(TestManifest.V1), TrustedRelay = first.Relay.CheckpointVerifierKey };
        await using var a = await DeviceNode.InceptAsync(options, new InMemoryNodeStore(), Key("pg-beacon-a"), "pg-beacon-a", Key("pg-beacon-a/next").Public.Digest);
        await using var b = await DeviceNode.InceptAsync(options, new InMemoryNodeStore(), Key("pg-beacon-b"), "pg-beacon-b", Key("pg-beacon-b/next").Public.Digest);
        string line;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(first.Host.Urls[0] + "/"), Timeout = TimeSpan.FromSeconds(20) };
            var client = new Http.HttpRelayClient(http, new Http.HttpRelayClientOptions { Ledger = ledger });
            for (var i = 0; i < 10; i++) await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs(Marker, i));
            for (var round = 0; round < 2; round++)
            {
                await a.SyncAsync(client);
                await b.SyncAsync(client);
            }

            await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(a), Key("pg-beacon-a")));
            await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(b) with { StateHash = Hash32.Sha256("diverged"u8) }, Key("pg-beacon-b")));
            line = Assert.Single(first.Host.Server.GetAlerts(ledger)).ToString();
            Assert.StartsWith("ALERT divergence ", line, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(first);
        }

        // The rows as PostgreSQL holds them: one per author, none carrying an op's args or bytes or the marker.
        var rows = new List<byte[]>();
        await using (var source = Npgsql.NpgsqlDataSource.Create(database.ConnectionString))
        await using (var c = source.CreateCommand("SELECT bytes FROM ledger_relay_beacons WHERE ledger = 'pg-beacons';"))
        await using (var r = await c.ExecuteReaderAsync())
        {
            while (await r.ReadAsync()) rows.Add(r.GetFieldValue<byte[]>(0));
        }

        Assert.Equal(2, rows.Count);
        SignedOp[] signed;
        using (var store = new PostgreSqlRelayStore(database.ConnectionString, ledger))
        {
            signed = (await store.ReadAsync(0, 1000)).Select(o => SignedOpCodec.Decode(o.Bytes)).ToArray();
        }

        Assert.Equal(12, signed.Length);
        foreach (var bytes in rows)
        {
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)));
            foreach (var op in signed.Where(o => o.Op.Args.Length >= 8))
            {
                Assert.Equal(-1, bytes.AsSpan().IndexOf(op.Op.Args.Span));
                Assert.Equal(-1, bytes.AsSpan().IndexOf(op.Bytes.Span));
            }
        }

        // Restarted on the same database: no beacon since, yet the alert stands, over HTTP too.
        var second = await StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(second.Host.Urls[0] + "/") };
            var json = JsonDocument.Parse(await http.GetByteArrayAsync($"v1/ledgers/{ledger}/alerts"));
            Assert.Equal(new[] { line }, json.RootElement.EnumerateArray().Select(e => e.GetProperty("line").GetString()!).ToArray());
        }
        finally
        {
            await StopAsync(second);
        }
    }

    [Fact]
    [Trait("Risk", "G2")]
    public async Task A_beacon_posted_to_one_relay_instance_shows_in_the_alerts_of_another_instance_on_the_same_database()
    {
        const string ledger = "pg-beacons-shared";
        var stores = new[] { new PostgreSqlRelayStore(database.ConnectionString, ledger), new PostgreSqlRelayStore(database.ConnectionString, ledger) };
        var relays = stores.Select(s => new Relay(new RelayOptions { Ledger = ledger, CheckpointKey = Fleet.Key() }, s)).ToArray();
        var hosts = new List<LedgerRelayHost>();
        try
        {
            foreach (var relay in relays) hosts.Add(await LedgerRelayHost.StartAsync(new LedgerRelayServer(new LedgerRelayOptions().AddLedger(relay)), ["http://127.0.0.1:0"]));
            var options = new NodeOptions { Ledger = ledger, Manifests = new ManifestCatalog(TestManifest.V1), TrustedRelay = relays[0].CheckpointVerifierKey };
            await using var a = await DeviceNode.InceptAsync(options, new InMemoryNodeStore(), Key("pg-shared-a"), "pg-shared-a", Key("pg-shared-a/next").Public.Digest);
            await using var b = await DeviceNode.InceptAsync(options, new InMemoryNodeStore(), Key("pg-shared-b"), "pg-shared-b", Key("pg-shared-b/next").Public.Digest);
            using var httpA = new HttpClient { BaseAddress = new Uri(hosts[0].Urls[0] + "/"), Timeout = TimeSpan.FromSeconds(20) };
            using var httpB = new HttpClient { BaseAddress = new Uri(hosts[1].Urls[0] + "/"), Timeout = TimeSpan.FromSeconds(20) };
            var toA = new Http.HttpRelayClient(httpA, new Http.HttpRelayClientOptions { Ledger = ledger });
            var toB = new Http.HttpRelayClient(httpB, new Http.HttpRelayClientOptions { Ledger = ledger });
            await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("x", 1));
            for (var round = 0; round < 2; round++)
            {
                await a.SyncAsync(toA);
                await b.SyncAsync(toA);
            }

            // Instance B reads its (empty) beacons first, so what follows must come from a refresh, not the first load.
            Assert.Empty(hosts[1].Server.GetAlerts(ledger));
            await toA.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(a), Key("pg-shared-a")));
            await toA.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(b) with { StateHash = Hash32.Sha256("diverged"u8) }, Key("pg-shared-b")));
            var onA = Assert.Single(hosts[0].Server.GetAlerts(ledger)).ToString();
            Assert.StartsWith("ALERT divergence ", onA, StringComparison.Ordinal);

            // Within the shared refresh interval, instance B (which was never posted to) shows the same alert over HTTP.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            string[] onB;
            do
            {
                await Task.Delay(200);
                var json = JsonDocument.Parse(await httpB.GetByteArrayAsync($"v1/ledgers/{ledger}/alerts"));
                onB = json.RootElement.EnumerateArray().Select(e => e.GetProperty("line").GetString()!).ToArray();
            }
            while (onB.Length == 0 && DateTime.UtcNow < deadline);
            Assert.Equal(new[] { onA }, onB);
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
            foreach (var relay in relays) relay.Dispose();
            foreach (var store in stores) store.Dispose();
        }
    }
}
