using System.Diagnostics.Metrics;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>Risk G2: a device has no server to read its logs, so it reports its own health and meters what it does.</summary>
public class ObservabilityTests
{
    [Fact]
    [Trait("Risk", "G2")]
    public async Task A_node_reports_each_trouble_as_a_finding_with_a_stable_code_and_severity_and_is_healthy_otherwise()
    {
        var clock = new ManualClock();
        var options = World.Options(clock);
        options.Folded = folded =>
        {
            if (folded.Any(f => f.Op.Verb == TestManifest.AddTally.Name && TestManifest.AddTally.DecodeArgs(f.Op.Args).Amount == 13)) throw new InvalidOperationException("unlucky");
        };
        var store = new InMemoryNodeStore(capBytes: 4_000);
        await using var node = (await DeviceNode.InceptAsync(options, store, World.Key("health", 0), "health", World.Key("health", 1).Public.Digest));
        Assert.True(node.Health().IsHealthy, node.Health().ToString());

        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 13));
        clock.Advance(TimeSpan.FromDays(2));
        var health = node.Health();
        Assert.Equal(HealthSeverity.Warning, health.Worst);
        Assert.Equal([HealthCodes.UnacknowledgedTooLong, HealthCodes.HandlerFaults], health.Findings.Select(f => f.Code).Order(StringComparer.Ordinal).Reverse());
        Assert.Contains("2 own op(s) exist only on this device, the oldest for 48 h", health.Findings.Single(f => f.Code == HealthCodes.UnacknowledgedTooLong).Message);
        Assert.Contains("unlucky", health.Findings.Single(f => f.Code == HealthCodes.HandlerFaults).Message);

        clock.Advance(TimeSpan.FromDays(4));
        while (store.SizeBytes < 3_300) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        health = node.Health();
        Assert.Equal(HealthSeverity.Critical, health.Worst);
        Assert.Equal(HealthSeverity.Critical, health.Findings[0].Severity); // worst first
        Assert.Equal(HealthSeverity.Critical, health.Findings.Single(f => f.Code == HealthCodes.UnacknowledgedTooLong).Severity);
        var full = health.Findings.Single(f => f.Code == HealthCodes.StoreNearCap);
        Assert.InRange(store.SizeBytes, 3_300, 3_799); // 82-94 % of the cap: a warning, not yet critical
        Assert.Equal(HealthSeverity.Warning, full.Severity);
        Assert.Contains("of its 4000 bytes", full.Message);
    }

    [Fact]
    [Trait("Risk", "G2")]
    [Trait("Risk", "A1")]
    public async Task An_eviction_export_that_cannot_be_written_leaves_appends_successful_and_is_a_critical_finding()
    {
        var options = World.Options();
        var unwritable = Path.Combine(World.TempDir(), "no-such-folder", "backup.ledger");
        options.AtRiskExport = new AtRiskExportPolicy { Path = unwritable, MaxUncoveredOps = 2, OnClose = true };
        var node = (await DeviceNode.InceptAsync(options, new InMemoryNodeStore(), World.Key("exporting", 0), "exporting", World.Key("exporting", 1).Public.Digest));
        for (var i = 0; i < 3; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i)); // each append succeeds

        var finding = node.Health().Findings.Single(f => f.Code == HealthCodes.ExportFailed);
        Assert.Equal(HealthSeverity.Critical, finding.Severity);
        Assert.Contains(unwritable, finding.Message);
        Assert.Equal(4, node.Durability().Local);
        // Closing says it too: the export on close fails loudly, after the store is closed.
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => node.DisposeAsync().AsTask());
    }

    [Fact]
    [Trait("Risk", "G2")]
    [Trait("Risk", "D2")]
    public async Task A_node_that_pulls_ops_of_a_manifest_it_lacks_says_update_needed_in_its_health()
    {
        var newer = new ManifestBuilder("testdomain", 2).Tables(Tables.All).Add(TestManifest.AddTally).Build();
        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay);
        var updatedOptions = World.Options();
        updatedOptions.Manifests = new ManifestCatalog(TestManifest.V1, newer);
        await using var updated = (await DeviceNode.InceptAsync(updatedOptions, new InMemoryNodeStore(), World.Key("updated", 0), "updated", World.Key("updated", 1).Public.Digest));
        await using var behind = await World.NewNodeAsync("behind");
        await updated.AppendAsync(newer, TestManifest.AddTally, new AmountArgs("cash", 5));
        await updated.SyncAsync(link);
        await behind.SyncAsync(link);

        var parked = behind.Health().Findings.Single(f => f.Code == HealthCodes.Parked);
        Assert.Equal(HealthSeverity.Warning, parked.Severity);
        Assert.Contains("update needed", parked.Message);
        Assert.Contains(newer.Id.ToString(), parked.Message);
        Assert.True(updated.Health().IsHealthy, updated.Health().ToString());
    }

    [Fact]
    [Trait("Risk", "G2")]
    public async Task Node_metrics_count_appends_commits_and_syncs_and_their_gauges_read_the_ladder_and_the_findings()
    {
        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay);
        await using var node = await World.NewNodeAsync("metered");
        using var seen = new Measurements(NodeMetricsMeter, node.Author.Value);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i))));
        await node.SyncAsync(link);
        link.Online = false;
        await node.SyncAsync(link);
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        seen.Collect();

        Assert.Equal(41, seen.Sum("ledger.node.appends", ("ledger.outcome", "persisted")));
        Assert.Equal(0, seen.Sum("ledger.node.appends", ("ledger.outcome", "failed")));
        Assert.Equal(41, seen.Sum("ledger.node.commit.ops"));
        Assert.True(seen.Count("ledger.node.commit.duration") >= 1);
        Assert.Equal(1, seen.Sum("ledger.node.syncs", ("ledger.outcome", "ok")));
        Assert.Equal(1, seen.Sum("ledger.node.syncs", ("ledger.outcome", "offline")));
        Assert.Equal(2, seen.Count("ledger.node.sync.duration"));
        var ladder = node.Durability();
        Assert.Equal(ladder.Local, seen.Last("ledger.node.ladder", ("ledger.rung", "local")));
        Assert.Equal(ladder.Durable, seen.Last("ledger.node.ladder", ("ledger.rung", "durable")));
        Assert.Equal(41, ladder.Durable); // inception + 40
        Assert.Equal(node.Store.SizeBytes, seen.Last("ledger.node.store.size", ("ledger.store.measure", "used")));
        Assert.Equal(0, seen.Count("ledger.node.health.findings"));
    }

    [Fact]
    [Trait("Risk", "G2")]
    [Trait("Risk", "G1")]
    public async Task Relay_metrics_count_accepted_duplicate_and_refused_ops_by_reason_and_time_each_batch()
    {
        var ledger = "metered-" + Guid.NewGuid().ToString("N")[..8];
        var relay = new Relay(new RelayOptions { Ledger = ledger }, new InMemoryRelayStore());
        var log = AuthorLog.Incept(ledger, "till", World.Key("metered-till", 0), World.Key("metered-till", 1).Public.Digest, out var inception, 0, new SteppingClock());
        var ops = new List<SignedOp> { inception };
        for (var i = 0; i < 5; i++) ops.Add(log.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", i)));
        using var seen = new Measurements("Ledger.Sync.Relay", ledger, byMeasurementTag: true);

        await relay.PushAsync(ops.Take(3).Select(o => o.Bytes).ToArray());
        await relay.PushAsync(ops.Take(3).Select(o => o.Bytes).ToArray()); // a resend
        await relay.PushAsync([ops[5].Bytes]); // a gap
        await relay.PushAsync([new byte[] { 0x93, 0x01 }]); // garbage

        Assert.Equal(3, seen.Sum("ledger.relay.ops", ("ledger.status", "accepted")));
        Assert.Equal(3, seen.Sum("ledger.relay.ops", ("ledger.status", "duplicate")));
        Assert.Equal(1, seen.Sum("ledger.relay.ops", ("ledger.refusal", "gap")));
        Assert.Equal(1, seen.Sum("ledger.relay.ops", ("ledger.refusal", "malformed")));
        Assert.Equal(4, seen.Count("ledger.relay.ingest.duration"));
        Assert.Equal(8, seen.Sum("ledger.relay.ingest.ops"));
    }

    [Fact]
    public async Task Relay_commits_metric_counts_one_transaction_per_push_stored_alone_and_one_per_group_of_pushes_that_waited()
    {
        var ledger = "committed-" + Guid.NewGuid().ToString("N")[..8];
        using var relay = new Relay(new RelayOptions { Ledger = ledger }, new InMemoryRelayStore());
        var chains = Enumerable.Range(0, 6).Select(i =>
        {
            var log = AuthorLog.Incept(ledger, "till-" + i, World.Key("committed-till-" + i, 0), World.Key("committed-till-" + i, 1).Public.Digest, out var inception, 0, new SteppingClock());
            return new[] { inception, log.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", i)) };
        }).ToArray();
        using var seen = new Measurements("Ledger.Sync.Relay", ledger, byMeasurementTag: true);
        long Commits()
        {
            seen.Collect();
            return (long)seen.Last("ledger.relay.commits");
        }

        Assert.Equal(0, Commits());
        await relay.PushAsync([chains[0][0].Bytes]);
        await relay.PushAsync([chains[0][1].Bytes]);
        Assert.Equal(2, Commits());
        // Nothing stored, no transaction: a resend (duplicates only) and garbage.
        await relay.PushAsync([chains[0][1].Bytes]);
        await relay.PushAsync([new byte[] { 0x93, 0x01 }]);
        Assert.Equal(2, Commits());

        // Four pushes wait for the gate while a fifth holds it after its commit: two transactions, not five.
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new ManualResetEventSlim();
        relay.AfterPersist = _ =>
        {
            relay.AfterPersist = null;
            entered.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(60));
        };
        var holder = Task.Run(() => relay.PushAsync(chains[1].Select(o => (ReadOnlyMemory<byte>)o.Bytes).ToArray()));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var waiting = chains.Skip(2).Select(c => Task.Run(() => relay.PushAsync(c.Select(o => (ReadOnlyMemory<byte>)o.Bytes).ToArray()))).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (relay.Groups.Waiting < 4)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{relay.Groups.Waiting} pushes queued, 4 expected");
            await Task.Delay(5);
        }

        release.Set();
        await holder.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, relay.Groups.Groups);
        Assert.Equal(12, relay.Size);
        Assert.Equal(4, Commits());
    }

    [Fact]
    [Trait("Risk", "G2")]
    [Trait("Risk", "A1")]
    public async Task A_metrics_listener_that_throws_never_fails_an_append_or_a_sync()
    {
        await using var node = await World.NewNodeAsync("listened");
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NodeMetricsMeter && (instrument.Meter.Tags ?? []).Any(t => Equals(t.Value, node.Author.Value))) l.EnableMeasurementEvents(instrument);
        };
        var thrown = 0;
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("listener bug " + Interlocked.Increment(ref thrown)));
        listener.SetMeasurementEventCallback<int>((_, _, _, _) => throw new InvalidOperationException("listener bug " + Interlocked.Increment(ref thrown)));
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => throw new InvalidOperationException("listener bug " + Interlocked.Increment(ref thrown)));
        listener.Start();

        var receipts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i))));
        var sync = await node.SyncAsync(new InMemoryRelayTransport(World.NewRelay()));
        Assert.True(thrown > 0, "the listener was never called");
        Assert.Equal(20, receipts.Length);
        Assert.False(sync.Offline);
        Assert.Equal(21, node.Durability().Durable);
        Assert.True(node.Health().IsHealthy, node.Health().ToString());
    }

    private const string NodeMetricsMeter = "Ledger.Sync.Node";

    /// <summary>Collects the measurements of one node's (or one ledger's) instruments.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _seen = [];
        private readonly Lock _gate = new();

        public Measurements(string meter, string tagValue, bool byMeasurementTag = false)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name != meter) return;
                if (!byMeasurementTag && !(instrument.Meter.Tags ?? []).Any(t => Equals(t.Value, tagValue))) return;
                listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags, byMeasurementTag ? tagValue : null));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags, byMeasurementTag ? tagValue : null));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags, byMeasurementTag ? tagValue : null));
            _listener.Start();
        }

        public void Collect() => _listener.RecordObservableInstruments();

        public double Sum(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Sum(m => m.Value);

        public int Count(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Count();

        public double Last(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Last().Value;

        public void Dispose() => _listener.Dispose();

        private IEnumerable<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)[] tags)
        {
            lock (_gate)
            {
                return _seen.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.Any(x => x.Key == t.Key && Equals(x.Value, t.Value)))).ToArray();
            }
        }

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, string? requiredTagValue)
        {
            var copy = tags.ToArray();
            if (requiredTagValue is not null && !copy.Any(t => Equals(t.Value, requiredTagValue))) return;
            lock (_gate) _seen.Add((instrument.Name, value, copy));
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
