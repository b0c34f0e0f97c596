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
        var server = new LedgerRelayServer(new LedgerRelayOptions { Time = clock }.AddLedger(relay));
        var nodes = new List<DeviceNode>();
        async Task<DeviceNode> NewNode(string label)
        {
            var node = await DeviceNode.InceptAsync(new NodeOptions { Ledger = Ledger, Manifests = new ManifestCatalog(TestManifest.V1), TrustedRelay = relay.CheckpointVerifierKey },
                new InMemoryNodeStore(), Key(label, 0), label, Key(label, 1).Public.Digest);
            nodes.Add(node);
            return node;
        }

        try
        {
            var a = await NewNode("till-a");
            var b = await NewNode("till-b");
            var c = await NewNode("till-c");
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
            await b.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("sales", 100));
            for (var round = 0; round < 3; round++)
            {
                foreach (var n in nodes) await n.SyncAsync(client);
            }

            rounds = client.Requests;
            // Faults: b folds the shared prefix to another state (a diverging node); c caught the relay equivocating
            // (its health reports relay-frozen and evidence); then c goes silent for two days while a and b report.
            await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(c, clock) with { Findings = [HealthCodes.Evidence, HealthCodes.RelayFrozen] }, Key("till-c", 0)));
            clock.Advance(TimeSpan.FromDays(2));
            await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(a, clock), Key("till-a", 0)));
            await client.SendBeaconAsync(BeaconWire.Sign(NodeBeacon.Of(b, clock) with { StateHash = Hash32.Sha256("diverged"u8) }, Key("till-b", 0)));

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

            // The faults, as fleet alerts naming the nodes.
            var pair = new[] { a.Author.Value, b.Author.Value }.Order(StringComparer.Ordinal).ToArray();
            var divergence = await page.Locator("li.alert[data-code='divergence']").InnerTextAsync();
            Assert.Contains($"ALERT divergence nodes={pair[0]},{pair[1]} prefix={relay.Size}", divergence, StringComparison.Ordinal);
            Assert.Contains($"ALERT silent nodes={c.Author.Value}", await page.Locator("li.alert[data-code='silent']").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains($"ALERT equivocation nodes={c.Author.Value}", await page.Locator("li.alert[data-code='equivocation']").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(3, await page.Locator("li.alert").CountAsync());
            await page.Locator("section[data-widget='fleet-alerts']").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(artifacts, "monitor-fleet-alerts.png") });
            Assert.True(new FileInfo(Path.Combine(artifacts, "monitor-fleet-alerts.png")).Length > 1000);
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
            relay.Dispose();
        }
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
    }
}
