using Ledger.Kernel;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Relay.Tests;

/// <summary>A claim over HTTP when the relay fails between persisting and answering (a 503 problem: the device is
/// offline, resends): the persisted order decides one winner. The plain two-till claim runs over HTTP in
/// <see cref="HttpSyncWitnesses"/>.</summary>
public sealed class HttpClaimTests
{
    [Fact]
    public async Task A_relay_failing_between_persisting_and_answering_over_http_never_yields_two_winners()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var link = World.Client(http);
        await using var hq = await World.NewNodeAsync("hq", World.Trusted(relay));
        await using var a = await World.NewNodeAsync("till-a", World.Trusted(relay));
        await using var b = await World.NewNodeAsync("till-b", World.Trusted(relay));
        await hq.AppendAsync(TestManifest.V1, TestManifest.StockPool, new UnitsArgs(1, "last"), claimKey: "sku:lamp");
        await hq.SyncAsync(link);
        var claimA = await a.AppendAsync(TestManifest.V1, TestManifest.TakeUnit, new UnitsArgs(1, "a"), claimKey: "sku:lamp");
        var claimB = await b.AppendAsync(TestManifest.V1, TestManifest.TakeUnit, new UnitsArgs(1, "b"), claimKey: "sku:lamp");

        // The relay persists a's claim, then fails before answering: the device sees a 503 problem, i.e. offline.
        var crashes = 1;
        relay.AfterPersist = _ =>
        {
            if (crashes-- > 0) throw new InvalidOperationException("relay failed after commit");
        };
        Assert.True((await a.SyncAsync(link)).Offline);
        Assert.False(a.DurabilityOf(claimA.Op).IsSafe);
        relay.AfterPersist = null;
        await b.SyncAsync(link);
        foreach (var node in new[] { a, b, hq, a, b }) await node.SyncAsync(link);

        var outcomes = new[] { a.DurabilityOf(claimA.Op).Rung, b.DurabilityOf(claimB.Op).Rung };
        Assert.Equal(1, outcomes.Count(o => o == DurabilityRung.Won));
        Assert.Equal(1, outcomes.Count(o => o == DurabilityRung.Lost));
        Assert.Equal(DurabilityRung.Won, a.DurabilityOf(claimA.Op).Rung); // the order the relay persisted stands
        Assert.Single(new[] { hq, a, b }.Select(n => n.StateHash()).Distinct());
    }
}
