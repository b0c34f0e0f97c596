using System.Net;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using Ledger.TestDomain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Monitor.Tests;

/// <summary>The monitor over a node under a state memory budget (risk B1), whose provenance is in its segment store:
/// taps answer from it, and a damaged record is said, never an unhandled exception. Plain HTTP, no browser.</summary>
public sealed class MonitorProvenanceTests
{
    private static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{index}")).ToArray());

    private static string RowId(string key) => Hash32.Sha256(Encoding.UTF8.GetBytes(key)).ToString()[..12];

    [Fact]
    [Trait("Risk", "B1")]
    public async Task A_budgeted_nodes_figure_taps_to_its_ops_from_the_segment_store_and_a_damaged_provenance_record_is_said()
    {
        var segments = new InMemorySegmentStore();
        await using var node = await DeviceNode.InceptAsync(
            new NodeOptions { Ledger = "monitor-budget", Manifests = new ManifestCatalog(TestManifest.V1), StateMemoryBudget = 0, SegmentStore = segments },
            new InMemoryNodeStore(), Key("till", 0), "till", Key("till", 1).Public.Digest);
        for (var i = 1; i <= 3; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("sales", i));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapLedgerMonitor(new LedgerMonitorOptions { Node = node });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First() + "/") };
        var figure = $"monitor/figure?segment=balances&row={RowId("sales")}";

        var tapped = await http.GetAsync(figure);
        Assert.Equal(HttpStatusCode.OK, tapped.StatusCode);
        var json = await tapped.Content.ReadAsStringAsync();
        Assert.Contains("\"figure\":\"balances/", json, StringComparison.Ordinal);
        Assert.Equal(3, json.Split("\"author\"").Length - 1);

        // Every record of the row's provenance changed: the tap says which record is damaged, the page shows "damaged".
        var balances = new SegmentId("balances", "");
        for (var slot = 0; slot < 4; slot++) segments.Tamper(new SegmentId($"$prov#{slot}#balances", ""), bytes => { bytes[^1] ^= 1; return bytes; });
        Assert.Throws<SegmentDamagedException>(() => node.Read(k => k.Provenance!.For(balances, "sales")));
        var damaged = await http.GetAsync(figure);
        Assert.Equal(HttpStatusCode.InternalServerError, damaged.StatusCode);
        Assert.Contains("$prov#", await damaged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var page = await http.GetAsync("monitor/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(">damaged<", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
