using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;
using Microsoft.Playwright;

namespace Ledger.Monitor.Tests;

/// <summary><c>ledger monitor &lt;node.db&gt;</c> (risk H) in its own process, on the SQLite store a real
/// <see cref="DeviceNode"/> wrote, driven in a real headless Chromium: every widget shows the node's real values, a
/// figure taps to its signed ops, the fleet widget says there is no fleet, and the file is left byte for byte.</summary>
public sealed class ToolMonitorBrowserTests
{
    private const string Ledger = "monitor-tool";

    private static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{index}")).ToArray());

    [ChromiumFact]
    [Trait("Risk", "H")]
    public async Task Ledger_monitor_serves_one_devices_store_on_loopback_with_its_real_values_and_taps_a_figure_to_its_signed_ops()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-monitor-tool-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "till-a.db");
        var relay = new Sync.Relay(new RelayOptions { Ledger = Ledger, CheckpointKey = Key("relay", 0) }, new InMemoryRelayStore());
        var link = new InMemoryRelayTransport(relay);
        var options = new NodeOptions { Ledger = Ledger, Manifests = new ManifestCatalog(TestManifest.V1), TrustedRelay = relay.CheckpointVerifierKey };
        AuthorId author, other;
        Hash32 live;
        DurabilityReport ladder;
        long prefix, records;
        string relayOrigin;
        await using (var a = await DeviceNode.InceptAsync(options, new SqliteNodeStore(path), Key("tool-a", 0), "tool-a", Key("tool-a", 1).Public.Digest))
        await using (var b = await DeviceNode.InceptAsync(options, new InMemoryNodeStore(), Key("tool-b", 0), "tool-b", Key("tool-b", 1).Public.Digest))
        {
            for (var i = 1; i <= 5; i++) await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("sales", i));
            await b.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("sales", 100));
            for (var round = 0; round < 2; round++)
            {
                await a.SyncAsync(link);
                await b.SyncAsync(link);
            }

            // One op after the last sync: only on this device (Local), as when its owner pulled the plug.
            await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 7));
            (author, other, live, ladder, prefix, relayOrigin) = (a.Author, b.Author, a.StateHash(), a.Durability(), a.Store.Cursor, a.RelayOrigin!);
            records = await a.Store.ReadAllAsync().CountAsync();
        }

        var before = SHA256.HashData(File.ReadAllBytes(path));
        var files = Directory.GetFiles(dir).Order(StringComparer.Ordinal).ToArray();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "Ledger.Tool.dll"), "monitor", path,
                     "--app", Path.Combine(AppContext.BaseDirectory, "Ledger.TestDomain.dll"), "--manifest", "Ledger.TestDomain.TestManifest.V1" })
        {
            start.ArgumentList.Add(arg);
        }

        // Configuration that would add endpoints off loopback is not read: the page stays on 127.0.0.1.
        start.Environment["ASPNETCORE_URLS"] = "http://0.0.0.0:0";
        start.Environment["Kestrel__Endpoints__Anywhere__Url"] = "http://0.0.0.0:0";
        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(line is not null && line.StartsWith("monitor listening on http://127.0.0.1:", StringComparison.Ordinal),
                $"first line: {line}; stderr: {(process.HasExited ? await process.StandardError.ReadToEndAsync() : "")}");
            Assert.Contains($" author={author} ledger={Ledger} ", line, StringComparison.Ordinal);
            var url = line["monitor listening on ".Length..].Split(' ')[0];
            Assert.EndsWith("/monitor", url, StringComparison.Ordinal);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.Executable,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1800 } });
            var response = await page.GotoAsync(url);
            Assert.Equal(200, response!.Status);
            var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
            Directory.CreateDirectory(artifacts);

            foreach (var widget in MonitorBrowserTests.Widgets)
            {
                var values = await page.Locator($"section[data-widget='{widget}'] dd").AllInnerTextsAsync();
                Assert.True(values.Count >= 1, $"widget {widget} shows {values.Count} value(s)");
                Assert.All(values, v => Assert.False(string.IsNullOrWhiteSpace(v), $"widget {widget} has an empty value"));
            }

            async Task<string> Value(string widget, string name) => await page.Locator($"section[data-widget='{widget}'] dd[data-value='{name}']").InnerTextAsync();
            string N(long n) => n.ToString(CultureInfo.InvariantCulture);
            // The node's own values, as it reported them before it closed.
            Assert.Equal("Y", await Value("prove-the-books", "match"));
            Assert.Equal(live.ToString(), await Value("prove-the-books", "live hash"));
            Assert.Equal(live.ToString(), await Value("prove-the-books", "replay hash"));
            Assert.Equal(N(records), await Value("prove-the-books", "ops replayed"));
            Assert.Equal(live.ToString(), await Value("crypto-shred", "state hash"));
            Assert.Equal((N(ladder.Local), N(ladder.Durable), N(ladder.Refused)), (await Value("durability-ladder", "local"), await Value("durability-ladder", "durable"), await Value("durability-ladder", "refused")));
            Assert.Equal(("1", "6"), (N(ladder.Local), N(ladder.Durable)));
            Assert.Equal("1", await Value("pull-the-plug", "ops only on this device"));
            Assert.Equal(N(ladder.Safe), await Value("pull-the-plug", "ops safe elsewhere"));
            Assert.StartsWith("chain OK · len 7", await Value("chain-integrity", "own chain"), StringComparison.Ordinal);
            Assert.Equal("2", await Value("chain-integrity", "chains"));
            Assert.Equal(author.Value, await Value("key-panel", "author"));
            Assert.Equal("0", await Value("key-panel", "key index"));
            Assert.Equal("yes", await Value("key-panel", "next key committed"));
            Assert.Equal(N(prefix), await Value("bootstrap-path", "relay prefix held"));
            Assert.Equal(relayOrigin, await Value("bootstrap-path", "relay origin"));
            Assert.Equal(N(prefix), await Value("business-time", "relay order known up to"));
            Assert.Equal("-", await Value("serverless-meter", "round trips"));
            // No relay here: the fleet widget says so instead of showing figures it cannot have.
            Assert.Equal("none: no relay here", await Value("fleet-alerts", "fleet"));
            Assert.Equal(0, await page.Locator("li.alert").CountAsync());
            Assert.DoesNotContain("sales", await page.ContentAsync(), StringComparison.Ordinal);

            // Tap to fold: the sales figure (1+2+3+4+5 of this device, 100 of the other) lists its six signed ops.
            await page.Locator("a.figure", new PageLocatorOptions { HasText = "115" }).First.ClickAsync();
            await page.Locator("#figure-ops li.op").Nth(5).WaitForAsync();
            var ops = await page.Locator("#figure-ops li.op").AllInnerTextsAsync();
            Assert.Equal(6, ops.Count);
            Assert.All(ops, o => Assert.Contains("signature verifies", o, StringComparison.Ordinal));
            Assert.Equal(5, ops.Count(o => o.StartsWith(author.Value + " #", StringComparison.Ordinal)));
            Assert.Single(ops, o => o.StartsWith(other.Value + " #2 ", StringComparison.Ordinal));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "ledger-monitor-tool.png"), FullPage = true });
            Assert.True(new FileInfo(Path.Combine(artifacts, "ledger-monitor-tool.png")).Length > 1000);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        // Read-only: the store is byte for byte what the node left, and nothing was created beside it.
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal(files, Directory.GetFiles(dir).Order(StringComparer.Ordinal).ToArray());
        Directory.Delete(dir, recursive: true);
    }
}
