using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using Ledger.Sync.Http;
using Ledger.TestDomain;

namespace Ledger.Relay.Tests;

/// <summary>Beacons (risk G2): devices report themselves to their relay, which keeps the latest per author and
/// computes fleet alerts.</summary>
public sealed class BeaconTests
{
    private const string Marker = "PLAINTEXT-Jane-Doe-42";

    [Fact]
    [Trait("Risk", "G2")]
    public async Task Beacons_of_members_are_kept_latest_per_author_agree_at_one_prefix_and_carry_no_op_contents_or_plaintext()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var client = World.Client(http);
        await using var a = await World.NewNodeAsync("beacon-a", World.Trusted(relay));
        await using var b = await World.NewNodeAsync("beacon-b", World.Trusted(relay));
        for (var i = 0; i < 20; i++)
        {
            await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs(Marker + "-a", i));
            await b.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs(Marker + "-b", i));
        }

        await World.ConvergeAsync(client, a, b);
        // Node a's beacons come from its hosted sync loop; node b's is sent by hand.
        var options = new LedgerNodeSyncOptions { RelayAddress = new Uri(host.Urls[0]), BeaconKey = () => World.Key("beacon-a", 0), Interval = TimeSpan.FromSeconds(30), LongPoll = false };
        using (var loop = new LedgerNodeSyncService(a, client, options))
        {
            await loop.StartAsync(CancellationToken.None);
            for (var wait = 0; wait < 200 && loop.BeaconsSent == 0; wait++) await Task.Delay(50);
            await loop.StopAsync(CancellationToken.None);
            Assert.True(loop.BeaconsSent >= 1, $"the loop sent no beacon: {loop.LastError}");
        }

        await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(b), World.Key("beacon-b", 0)));
        // An older beacon of b (replayed) never replaces its newer one.
        var old = NodeBeacon.Of(b) with { SentAtUnixMs = 1, Local = 99 };
        await client.SendBeaconAsync(BeaconWire.Sign(old, World.Key("beacon-b", 0)));

        var stored = host.Server.GetBeacons(World.Ledger);
        Assert.Equal(new[] { a.Author.Value, b.Author.Value }.Order(StringComparer.Ordinal), stored.Select(s => s.Beacon.Author.Value));
        Assert.All(stored, s => Assert.Equal(0, s.Beacon.Local));
        // Both hold exactly the relay's log: same prefix, same state hash, no alert.
        Assert.All(stored, s => Assert.Equal(relay.Size, s.Beacon.Prefix));
        Assert.All(stored, s => Assert.Equal(a.StateHash(), s.Beacon.StateHash));
        Assert.Empty(host.Server.GetAlerts(World.Ledger));

        // Scan every stored beacon: no op's args (where plaintext and sealed fields live), no plaintext marker, no op bytes.
        var ops = (await relay.PullAsync(0)).Ops.Select(o => SignedOpCodec.Decode(o.Bytes)).ToArray();
        Assert.Equal(42, ops.Length);
        foreach (var beacon in stored)
        {
            var bytes = beacon.Signed.Bytes.ToArray();
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)));
            foreach (var op in ops.Where(o => o.Op.Args.Length >= 8))
            {
                Assert.Equal(-1, bytes.AsSpan().IndexOf(op.Op.Args.Span));
                Assert.Equal(-1, bytes.AsSpan().IndexOf(op.Bytes.Span));
            }
        }
    }

    [Fact]
    [Trait("Risk", "G2")]
    public async Task A_beacon_with_a_tampered_signature_another_authors_key_or_from_a_non_member_is_refused_and_not_kept()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var client = World.Client(http);
        await using var a = await World.NewNodeAsync("tamper-a", World.Trusted(relay));
        await using var outsider = await World.NewNodeAsync("tamper-outsider", World.Trusted(relay));
        await a.SyncAsync(client);

        var good = BeaconWire.Sign(NodeBeacon.Of(a), World.Key("tamper-a", 0));
        var signatureFlipped = good.ToArray();
        signatureFlipped[^1] ^= 0x01;
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(http, signatureFlipped)).Status);
        // A changed count in the body: the envelope still decodes, the signature no longer covers it.
        var body = BeaconWire.Decode(good).Body.ToArray();
        var bodyAt = good.AsSpan().IndexOf(body);
        var countChanged = good.ToArray();
        countChanged[bodyAt + body.Length - 2] ^= 0x01; // inside the last fields (ladder / findings), still canonical
        var (status, _) = await PostAsync(http, countChanged);
        Assert.Contains(status, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest });
        // Signed by another device's key in a's name.
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(http, BeaconWire.Sign(NodeBeacon.Of(a), World.Key("tamper-outsider", 0)))).Status);
        // An author the relay does not know (never pushed its inception) is not a member.
        var (forbidden, problem) = await PostAsync(http, BeaconWire.Sign(NodeBeacon.Of(outsider), World.Key("tamper-outsider", 0)));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden);
        Assert.Contains("not a member", problem, StringComparison.Ordinal);
        // Not a beacon at all, and another ledger's beacon.
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(http, [0x93, 0x01, 0xc4, 0x00, 0xc4])).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(http, BeaconWire.Sign(NodeBeacon.Of(a) with { Ledger = "other" }, World.Key("tamper-a", 0)))).Status);
        Assert.Empty(host.Server.GetBeacons(World.Ledger));

        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(http, good)).Status);
        Assert.Single(host.Server.GetBeacons(World.Ledger));

        // A revoked member's beacon is refused too.
        host.Server.Options.Ledgers[0].Revoke(a.Author);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(http, BeaconWire.Sign(NodeBeacon.Of(a), World.Key("tamper-a", 0)))).Status);
    }

    [Fact]
    [Trait("Risk", "G2")]
    public async Task The_relay_alerts_divergence_silence_old_manifests_parking_equivocation_and_old_unacknowledged_ops_naming_the_nodes()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o =>
        {
            o.AddLedger(relay);
            o.Time = clock;
        });
        using var http = World.Http(host);
        var client = World.Client(http);
        await using var a = await World.NewNodeAsync("fleet-a", World.Trusted(relay));
        await using var b = await World.NewNodeAsync("fleet-b", World.Trusted(relay));
        await using var c = await World.NewNodeAsync("fleet-c", World.Trusted(relay));
        await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", 1));
        await World.ConvergeAsync(client, a, b, c);

        await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(a), World.Key("fleet-a", 0)));
        Assert.Empty(host.Server.GetAlerts(World.Ledger));
        // b folds the same prefix to another state (injected: the hash a node with a nondeterministic fold would report).
        var bBeacon = NodeBeacon.Of(b);
        Assert.Equal(a.StateHash(), bBeacon.StateHash);
        await client.SendBeaconAsync(BeaconWire.Sign(bBeacon with { StateHash = Hash32.Sha256("diverged"u8) }, World.Key("fleet-b", 0)));
        // c runs an old app (no manifest), parks ops, caught its relay equivocating, and holds ops unacknowledged for 6 days.
        await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(c) with
        {
            Manifests = [],
            Parked = 2,
            Findings = [HealthCodes.Evidence, HealthCodes.Parked, HealthCodes.RelayFrozen],
            Local = 3,
            OldestUnacknowledgedSeconds = (long)TimeSpan.FromDays(6).TotalSeconds,
        }, World.Key("fleet-c", 0)));

        var alerts = host.Server.GetAlerts(World.Ledger);
        var pair = new[] { a.Author.Value, b.Author.Value }.Order(StringComparer.Ordinal).ToArray();
        var divergence = Assert.Single(alerts, x => x.Code == FleetAlertCodes.Divergence);
        Assert.Equal(pair, divergence.Nodes);
        Assert.Equal(relay.Size, divergence.Prefix);
        Assert.Equal($"ALERT divergence nodes={pair[0]},{pair[1]} prefix={relay.Size}", divergence.ToString());
        Assert.Contains("prove-the-books", divergence.Message, StringComparison.Ordinal);
        foreach (var code in new[] { FleetAlertCodes.OldManifest, FleetAlertCodes.Parked, FleetAlertCodes.Equivocation, FleetAlertCodes.Unacknowledged })
        {
            var alert = Assert.Single(alerts, x => x.Code == code);
            Assert.True(alert.Nodes.SequenceEqual([c.Author.Value]), string.Join("\n", alerts.Select(x => x + " " + x.Message)));
            Assert.Equal([c.Author.Value], alert.Nodes);
        }

        Assert.DoesNotContain(alerts, x => x.Code == FleetAlertCodes.Silent);
        // Two days without a beacon: every node is silent, and a's fresh beacon clears it for a alone.
        clock.Advance(TimeSpan.FromDays(2));
        await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(a), World.Key("fleet-a", 0)));
        var silent = host.Server.GetAlerts(World.Ledger).Where(x => x.Code == FleetAlertCodes.Silent).SelectMany(x => x.Nodes).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { b.Author.Value, c.Author.Value }.Order(StringComparer.Ordinal), silent);

        // The same alerts over HTTP, and the relay's health is degraded while they stand.
        var json = JsonDocument.Parse(await http.GetByteArrayAsync($"v1/ledgers/{World.Ledger}/alerts"));
        Assert.Contains(json.RootElement.EnumerateArray(), e => e.GetProperty("line").GetString() == divergence.ToString());
        using var health = await http.GetAsync("healthz");
        Assert.Equal("Degraded", await health.Content.ReadAsStringAsync());
        // The relay host's monitor page lists them (server-rendered, no script needed to see them).
        var page = await http.GetStringAsync("monitor");
        Assert.Contains(System.Net.WebUtility.HtmlEncode(divergence.ToString()), page, StringComparison.Ordinal);
        Assert.Contains("data-code=\"silent\"", page, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "G2")]
    public async Task Beacons_and_their_alerts_survive_a_relay_restart_on_the_same_store_and_the_stored_rows_carry_no_op_contents_or_plaintext()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-beacon-restart-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var storePath = Path.Combine(dir, "relay.db");
        try
        {
            // A relay on a SQLite store, restarted by hand: the same store file, key and clock; a new server and host.
            var clock = new ManualClock(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
            async Task<(LedgerRelayHost Host, Sync.Relay Relay)> StartAsync()
            {
                var relay = World.NewRelay(new SqliteRelayStore(storePath));
                return (await World.StartAsync(o =>
                {
                    o.AddLedger(relay);
                    o.Time = clock;
                }), relay);
            }

            async Task StopAsync(LedgerRelayHost host, Sync.Relay relay)
            {
                await host.DisposeAsync();
                relay.Dispose();
                relay.Store.Dispose();
            }

            var (host, relay) = await StartAsync();
            await using var a = await World.NewNodeAsync("restart-beacon-a", World.Trusted(relay));
            await using var b = await World.NewNodeAsync("restart-beacon-b", World.Trusted(relay));
            string line;
            long size;
            try
            {
                using var http = World.Http(host);
                var client = World.Client(http);
                for (var i = 0; i < 10; i++) await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs(Marker, i));
                await World.ConvergeAsync(client, a, b);
                await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(a, clock), World.Key("restart-beacon-a", 0)));
                await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(b, clock) with { StateHash = Hash32.Sha256("diverged"u8) }, World.Key("restart-beacon-b", 0)));
                line = Assert.Single(host.Server.GetAlerts(World.Ledger)).ToString();
                size = relay.Size;
            }
            finally
            {
                await StopAsync(host, relay);
            }

            // The stored rows, read from the file itself: one per author, none carrying an op's args or bytes or the marker.
            var ops = new List<SignedOp>();
            using (var store = new SqliteRelayStore(storePath))
            {
                ops.AddRange((await store.ReadAsync(0, 1000)).Select(o => SignedOpCodec.Decode(o.Bytes)));
            }

            var rows = new List<byte[]>();
            using (var db = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = storePath, Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            {
                db.Open();
                using var c = db.CreateCommand();
                c.CommandText = "SELECT bytes FROM beacons;";
                using var r = c.ExecuteReader();
                while (r.Read()) rows.Add((byte[])r[0]);
            }

            Assert.Equal(2, rows.Count);
            Assert.Equal(size, ops.Count);
            foreach (var bytes in rows)
            {
                Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)));
                foreach (var op in ops.Where(o => o.Op.Args.Length >= 8))
                {
                    Assert.Equal(-1, bytes.AsSpan().IndexOf(op.Op.Args.Span));
                    Assert.Equal(-1, bytes.AsSpan().IndexOf(op.Bytes.Span));
                }
            }

            // Restarted: no device has sent a beacon since, yet the relay still shows the alert, over HTTP too.
            (host, relay) = await StartAsync();
            try
            {
                using var http = World.Http(host);
                var json = JsonDocument.Parse(await http.GetByteArrayAsync($"v1/ledgers/{World.Ledger}/alerts"));
                var lines = json.RootElement.EnumerateArray().Select(e => e.GetProperty("line").GetString()!).ToArray();
                Assert.Equal(new[] { line }, lines);
                var pair = new[] { a.Author.Value, b.Author.Value }.Order(StringComparer.Ordinal).ToArray();
                Assert.Equal($"ALERT divergence nodes={pair[0]},{pair[1]} prefix={size}", line);
                Assert.Equal(2, host.Server.GetBeacons(World.Ledger).Count);
            }
            finally
            {
                await StopAsync(host, relay);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    [Trait("Risk", "G2")]
    public void The_beacon_encoding_matches_its_golden_vector_and_every_truncation_or_flip_is_a_typed_error_or_fails_verification()
    {
        var key = World.Key("golden-beacon", 0);
        var beacon = new NodeBeacon("books", new AuthorId("till-1"), 1_767_225_600_000, "1.0.0.0", [Hash32.Sha256("manifest-1"u8)],
            "relay.example/books", 42, Hash32.Sha256("state"u8), 1, 2, 39, 0, 3600, 0, [HealthCodes.Parked]);
        var bytes = BeaconWire.Sign(beacon, key);
        Ledger.Tests.Golden.Match("beacon-v1.hex", Convert.ToHexStringLower(bytes) + "\n");
        var decoded = BeaconWire.Decode(bytes);
        Assert.True(decoded.Verify(key.Public));
        Assert.Equal(BeaconWire.EncodeBody(beacon), decoded.Body.ToArray());
        Assert.Equal(beacon.Manifests, decoded.Beacon.Manifests);
        Assert.Equal(beacon.Findings, decoded.Beacon.Findings);
        Assert.Equal(beacon with { Manifests = decoded.Beacon.Manifests, Findings = decoded.Beacon.Findings }, decoded.Beacon);

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<LedgerFormatException>(() => BeaconWire.Decode(bytes.AsMemory(0, length)));
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var flipped = bytes.ToArray();
            flipped[i] ^= 0x20;
            try
            {
                Assert.False(BeaconWire.Decode(flipped).Verify(key.Public), $"a flip at byte {i} still verifies");
            }
            catch (LedgerFormatException)
            {
            }
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient http, byte[] beacon)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/ledgers/{World.Ledger}/beacons") { Content = new ByteArrayContent(beacon) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(BeaconWire.MediaType);
        request.Headers.TryAddWithoutValidation(RelayHttp.ProtocolHeader, RelayHttp.ProtocolVersion);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
    }
}
