using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using Ledger.Sync.Http;
using Ledger.TestDomain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Ledger.Monitor.Tests;

/// <summary>The monitor page in a real headless Chromium (risks G2, H): every widget shows measured values, a click on a
/// figure lists the signed ops behind it, and injected faults appear as fleet alerts. Screenshots go to
/// <c>artifacts/</c> under the test output folder.</summary>
public sealed class MonitorBrowserTests
{
    private const string Ledger = "monitor-test";

    private static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{index}")).ToArray());

    internal static readonly string[] Widgets =
    [
        "prove-the-books", "tap-to-fold", "chain-integrity", "durability-ladder", "pull-the-plug", "serverless-meter",
        "bootstrap-path", "key-panel", "business-time", "crypto-shred", "fleet-alerts",
    ];

    [ChromiumFact]
    [Trait("Risk", "H")]
    public async Task The_monitor_page_shows_measured_widgets_taps_a_figure_to_its_signed_ops_and_shows_injected_faults_as_alerts()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-01T00:00:00Z", CultureInfo.InvariantCulture));
        var relay = new Sync.Relay(new RelayOptions { Ledger = Ledger, CheckpointKey = Key("relay", 0) }, new InMemoryRelayStore());
        // The same key and origin signing a second order of the same ops: the relay that equivocates to one device.
        var fork = new Sync.Relay(new RelayOptions { Ledger = Ledger, CheckpointKey = Key("relay", 0) }, new InMemoryRelayStore());
        var server = new LedgerRelayServer(new LedgerRelayOptions { Time = clock }.AddLedger(relay));
        var nodes = new List<DeviceNode>();
        async Task<DeviceNode> NewNode(string label, Manifest? manifest = null)
        {
            var node = await DeviceNode.InceptAsync(new NodeOptions { Ledger = Ledger, Manifests = new ManifestCatalog(manifest ?? TestManifest.V1), TrustedRelay = relay.CheckpointVerifierKey },
                new InMemoryNodeStore(), Key(label, 0), label, Key(label, 1).Public.Digest);
            nodes.Add(node);
            return node;
        }

        try
        {
            var a = await NewNode("till-a");
            // b runs a buggy build: the same manifest id, a tally.add that folds to another figure.
            Assert.Equal(TestManifest.V1.Id, MiscountingManifest.V1.Id);
            var b = await NewNode("till-b", MiscountingManifest.V1);
            var c = await NewNode("till-c");
            var d = await NewNode("till-d");
            var e = await NewNode("till-e");
            var rounds = 0L;
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            await using var app = builder.Build();
            app.MapLedgerRelay(server);
            app.MapLedgerMonitor(new LedgerMonitorOptions { Server = server, Node = a, RoundTrips = () => Interlocked.Read(ref rounds) });
            await app.StartAsync();
            var root = app.Urls.First();
            using var http = new HttpClient { BaseAddress = new Uri(root + "/") };
            var client = new HttpRelayClient(http, new HttpRelayClientOptions { Ledger = Ledger });

            for (var i = 1; i <= 5; i++) await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("sales", i));
            await b.AppendAsync(MiscountingManifest.V1, MiscountingManifest.AddTally, new AmountArgs("sales", 100));
            var honest = new[] { a, b, d, e };
            for (var round = 0; round < 2; round++)
            {
                foreach (var n in honest) await n.SyncAsync(client);
            }

            // The relay equivocates to c: c syncs through the forked log, e through the honest one, and they gossip
            // checkpoints. Whoever compares first catches the relay with evidence and stops trusting it.
            var gossip = new PeerGossip();
            gossip.Join(c);
            gossip.Join(e);
            var toFork = new ForkedView(relay, fork);
            await c.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 3));
            for (var attempt = 0; attempt < 3 && c.FrozenBecause is null && e.FrozenBecause is null; attempt++)
            {
                await Record.ExceptionAsync(() => c.SyncAsync(toFork));
                await Record.ExceptionAsync(() => e.SyncAsync(client));
            }

            var accusers = new[] { c, e }.Where(n => n.Health().Findings.Any(f => f.Code is HealthCodes.Evidence or HealthCodes.RelayFrozen)).ToArray();
            Assert.True(accusers.Length > 0, $"nobody caught the fork; c: {c.FrozenBecause} / e: {e.FrozenBecause}");
            foreach (var n in new[] { a, b, d }) await n.SyncAsync(client);
            rounds = client.Requests;
            Assert.NotEqual(a.StateHash(), b.StateHash());
            Assert.Equal((relay.Size, relay.Size), (a.Store.Cursor, b.Store.Cursor));

            // Every node sends its own beacon (NodeBeacon.Of, as the sync loop does); then d goes silent while the
            // relay's clock moves two days on (the silence limit is one) and the others keep reporting.
            async Task Beacon(DeviceNode n, string label) => await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(n, clock), Key(label, 0)));
            await Beacon(d, "till-d");
            clock.Advance(TimeSpan.FromDays(2));
            await Beacon(a, "till-a");
            await Beacon(b, "till-b");
            await Beacon(c, "till-c");
            await Beacon(e, "till-e");
            Assert.NotEqual(a.StateHash(), server.GetBeacons(Ledger).Single(x => x.Beacon.Author == b.Author).Beacon.StateHash);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.Executable,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1800 } });
            var response = await page.GotoAsync(root + "/monitor");
            Assert.Equal(200, response!.Status);
            var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
            Directory.CreateDirectory(artifacts);

            foreach (var widget in Widgets)
            {
                var values = await page.Locator($"section[data-widget='{widget}'] dd").AllInnerTextsAsync();
                Assert.True(values.Count >= 1, $"widget {widget} shows {values.Count} value(s)");
                Assert.All(values, v => Assert.False(string.IsNullOrWhiteSpace(v), $"widget {widget} has an empty value"));
            }

            async Task<string> Value(string widget, string name) => await page.Locator($"section[data-widget='{widget}'] dd[data-value='{name}']").InnerTextAsync();
            Assert.Equal("Y", await Value("prove-the-books", "match"));
            Assert.Equal(relay.Size.ToString(CultureInfo.InvariantCulture), await Value("prove-the-books", "ops replayed"));
            Assert.Equal(a.StateHash().ToString(), await Value("prove-the-books", "live hash"));
            Assert.Equal("6", await Value("durability-ladder", "durable"));
            Assert.Equal("0", await Value("pull-the-plug", "ops only on this device"));
            Assert.StartsWith("chain OK · len 6", await Value("chain-integrity", "own chain"), StringComparison.Ordinal);
            Assert.Equal(rounds.ToString(CultureInfo.InvariantCulture), await Value("serverless-meter", "round trips"));
            Assert.Equal("Incepted", await Value("bootstrap-path", "path"));
            Assert.Equal("0", await Value("key-panel", "key index"));
            Assert.Equal(relay.Size.ToString(CultureInfo.InvariantCulture), await Value("fleet-alerts", "relay log size"));

            // The page carries no op contents or plaintext keys: the row key "sales" never appears.
            Assert.DoesNotContain("sales", await page.ContentAsync(), StringComparison.Ordinal);

            // Tap to fold: the sales figure (1+2+3+4+5+100 = 115) lists the six signed ops that made it, each verified.
            var figure = page.Locator("a.figure", new PageLocatorOptions { HasText = "115" });
            await figure.First.ClickAsync();
            await page.Locator("#figure-ops li.op").Nth(5).WaitForAsync();
            var ops = await page.Locator("#figure-ops li.op").AllInnerTextsAsync();
            Assert.Equal(6, ops.Count);
            Assert.All(ops, o => Assert.Contains("signature verifies", o, StringComparison.Ordinal));
            Assert.Equal(5, ops.Count(o => o.StartsWith(a.Author.Value + " #", StringComparison.Ordinal)));
            Assert.Single(ops, o => o.StartsWith(b.Author.Value + " #2 ", StringComparison.Ordinal));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "monitor-tap-to-fold.png"), FullPage = true });

            // The faults, as fleet alerts naming the nodes. The diverging node b and a node holding the honest state at
            // the same prefix (the most common state there, a's):
            string Id(DeviceNode n) => n.Author.Value;
            var divergences = await page.Locator("li.alert[data-code='divergence']").AllInnerTextsAsync();
            var ofB = Assert.Single(divergences, x => x.Contains(Id(b), StringComparison.Ordinal));
            var line = ofB.Split(' ');
            Assert.Equal(("ALERT", "divergence", $"prefix={relay.Size}"), (line[0], line[1], line[3]));
            var named = line[2]["nodes=".Length..].Split(',');
            Assert.Equal(2, named.Length);
            var reference = named.Single(x => x != Id(b));
            Assert.Equal(a.StateHash(), server.GetBeacons(Ledger).Single(x => x.Beacon.Author.Value == reference).Beacon.StateHash);
            // d, silent past the limit (and only d):
            var silent = await page.Locator("li.alert[data-code='silent']").AllInnerTextsAsync();
            Assert.StartsWith($"ALERT silent nodes={Id(d)} ", Assert.Single(silent), StringComparison.Ordinal);
            // the nodes that caught the relay equivocating, each named in its own alert:
            var equivocation = await page.Locator("li.alert[data-code='equivocation']").AllInnerTextsAsync();
            Assert.Equal(accusers.Select(n => $"ALERT equivocation nodes={Id(n)}").Order(StringComparer.Ordinal),
                equivocation.Select(x => x.Split(' ')[..3]).Select(x => string.Join(' ', x)).Order(StringComparer.Ordinal));
            // and nothing else: no node parks, lacks a manifest or holds old unacknowledged ops.
            var codes = await page.Locator("li.alert").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.code)");
            Assert.All(codes, x => Assert.Contains(x, new[] { "divergence", "silent", "equivocation" }));
            await page.Locator("section[data-widget='fleet-alerts']").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(artifacts, "monitor-fleet-alerts.png") });
            Assert.True(new FileInfo(Path.Combine(artifacts, "monitor-fleet-alerts.png")).Length > 1000);
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
            relay.Dispose();
            fork.Dispose();
        }
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
    }
}
