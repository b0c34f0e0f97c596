using System.Diagnostics.Metrics;

namespace Ledger.Sync;

/// <summary>A node's instruments on its own meter <c>Ledger.Sync.Node</c>, tagged with the ledger and the author
/// (docs/observability.md). Counters and histograms are recorded on the append and sync paths; gauges are read
/// from the node only when a listener collects.</summary>
internal sealed class NodeMetrics : IDisposable
{
    public const string MeterName = "Ledger.Sync.Node";
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private volatile bool _closed;

    public NodeMetrics(NodeOptions options, DeviceNode node)
    {
        var meterOptions = new MeterOptions(MeterName)
        {
            Version = "1.0",
            Tags = [new("ledger.name", options.Ledger), new("ledger.author", node.Author.Value)],
        };
        _ownsMeter = options.MeterFactory is null;
        _meter = options.MeterFactory?.Create(meterOptions) ?? new Meter(meterOptions);
        Appends = _meter.CreateCounter<long>("ledger.node.appends", "{op}", "Appends that ended, by outcome (persisted, failed).");
        CommitOps = _meter.CreateHistogram<int>("ledger.node.commit.ops", "{op}", "Ops per group commit.");
        CommitDuration = _meter.CreateHistogram<double>("ledger.node.commit.duration", "s", "Time to commit one group to the store, flush included.");
        Syncs = _meter.CreateCounter<long>("ledger.node.syncs", "{sync}", "Sync rounds, by outcome (ok, offline, failed).");
        SyncDuration = _meter.CreateHistogram<double>("ledger.node.sync.duration", "s", "Time of one sync round (push, pull, gossip).");
        _meter.CreateObservableGauge("ledger.node.ladder", () => Read(node, Ladder), "{op}", "Own ops per rung of the durability ladder.");
        _meter.CreateObservableGauge("ledger.node.unacknowledged.age", () => Read(node, OldestUnacknowledged), "s", "Age of the oldest own op no relay acknowledged.");
        _meter.CreateObservableGauge("ledger.node.store.size", () => Read(node, StoreSize), "By", "Bytes the node's store occupies, and its cap.");
        _meter.CreateObservableGauge("ledger.node.health.findings", () => Read(node, Findings), "{finding}", "One per current health finding, tagged with its code and severity.");
    }

    public Counter<long> Appends { get; }

    public Histogram<int> CommitOps { get; }

    public Histogram<double> CommitDuration { get; }

    public Counter<long> Syncs { get; }

    public Histogram<double> SyncDuration { get; }

    public void Dispose()
    {
        _closed = true;
        if (_ownsMeter) _meter.Dispose();
    }

    private IEnumerable<Measurement<long>> Read(DeviceNode node, Func<DeviceNode, IEnumerable<Measurement<long>>> read) =>
        _closed ? [] : read(node);

    private IEnumerable<Measurement<double>> Read(DeviceNode node, Func<DeviceNode, IEnumerable<Measurement<double>>> read) =>
        _closed ? [] : read(node);

    private static IEnumerable<Measurement<long>> Ladder(DeviceNode node)
    {
        var d = node.Durability();
        return
        [
            Rung("local", d.Local), Rung("syncing", d.Syncing), Rung("durable", d.Durable),
            Rung("won", d.Won), Rung("lost", d.Lost), Rung("refused", d.Refused),
        ];
    }

    private static Measurement<long> Rung(string rung, int count) => new(count, new KeyValuePair<string, object?>("ledger.rung", rung));

    private static IEnumerable<Measurement<double>> OldestUnacknowledged(DeviceNode node) =>
        node.Durability().OldestUnacknowledged is { } age ? [new Measurement<double>(age.TotalSeconds)] : [new Measurement<double>(0)];

    private static IEnumerable<Measurement<long>> StoreSize(DeviceNode node)
    {
        var d = node.Durability();
        var size = new Measurement<long>(d.StoreBytes, new KeyValuePair<string, object?>("ledger.store.measure", "used"));
        return d.StoreCapBytes is { } cap ? [size, new Measurement<long>(cap, new KeyValuePair<string, object?>("ledger.store.measure", "cap"))] : [size];
    }

    private static IEnumerable<Measurement<long>> Findings(DeviceNode node) =>
        node.Health().Findings.Select(f => new Measurement<long>(1,
            new KeyValuePair<string, object?>("ledger.health.code", f.Code),
            new KeyValuePair<string, object?>("ledger.health.severity", f.Severity == HealthSeverity.Critical ? "critical" : "warning")));
}
