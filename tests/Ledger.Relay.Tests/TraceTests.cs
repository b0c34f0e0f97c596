using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using Ledger.TestDomain;

namespace Ledger.Relay.Tests;

/// <summary>Traces across processes' boundary: the device's sync round and the relay's request spans form one trace,
/// carried by the W3C trace context over HTTP.</summary>
public sealed class TraceTests
{
    [Fact]
    [Trait("Risk", "G2")]
    public async Task One_node_sync_over_http_is_one_trace_spanning_the_node_and_the_relay()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var client = World.Client(http);
        await using var node = await World.NewNodeAsync("trace-a", World.Trusted(relay));
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("t", 1));

        // Ledger's own sources and HttpClient's (the client span of each request) are listened to; ASP.NET Core's stays
        // off, so the relay's span can only join the trace through the traceparent header the device sends.
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is SyncActivities.SourceName or RelayActivities.SourceName or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        var result = await node.SyncAsync(client);
        Assert.False(result.Offline);
        Assert.Equal(2, result.Acknowledged);

        var round = Assert.Single(spans, s => s.OperationName == "ledger.sync" && (string?)s.GetTagItem("ledger.author") == node.Author.Value);
        Assert.Equal(default, round.ParentSpanId);
        var trace = spans.Where(s => s.TraceId == round.TraceId).ToArray();
        var node_ = trace.Where(s => s.Source.Name == SyncActivities.SourceName).Select(s => s.OperationName).ToHashSet();
        Assert.Superset(new HashSet<string> { "ledger.sync", "ledger.push", "ledger.pull" }, node_);
        var relaySide = trace.Where(s => s.Source.Name == RelayActivities.SourceName).ToArray();
        Assert.Contains(relaySide, s => s.OperationName == "POST /v1/ledgers/{ledger}/ops" && s.Kind == ActivityKind.Server && (int?)s.GetTagItem("http.response.status_code") == 200);
        Assert.Contains(relaySide, s => s.OperationName.StartsWith("GET /v1/ledgers/{ledger}/", StringComparison.Ordinal));
        // The relay ingested inside the request's span, in the same trace.
        var ingest = Assert.Single(trace, s => s.OperationName == "ledger.ingest");
        Assert.Contains(relaySide, s => s.SpanId == ingest.ParentSpanId);
        // Every relay span's parent is a node span of this trace: the trace is one tree, rooted at the sync round.
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        Assert.All(trace.Where(s => s != round), s => Assert.Contains(s.ParentSpanId, ids));
        Assert.All(relaySide, s => Assert.True(s.HasRemoteParent));
    }
}
