using System.Diagnostics.Metrics;

namespace Ledger.Sync;

/// <summary>A node's instruments on its own meter <c>Ledger.Sync.Node</c>, tagged with the ledger and the author
/// (docs/observability.md). Counters and histograms are recorded on the append and sync paths; gauges are read
/// from the node only when a listener collects.</summary>
/// <remarks>Recording never throws into the node: a listener that throws must not fail an append that is already
/// on disk, nor stop a pipeline thread. After <see cref="Dispose"/> the gauges report nothing and no longer hold
/// the node (a host's <see cref="IMeterFactory"/> may keep the meter alive).</remarks>
internal sealed class NodeMetrics : IDisposable
{
    public const string MeterName = "Ledger.Sync.Node";
    private static readonly KeyValuePair<string, object?> Persisted = new("ledger.outcome", "persisted");
    private static readonly KeyValuePair<string, object?> Failed = new("ledger.outcome", "failed");
    private static long _instances;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _appends;
    private readonly Histogram<int> _commitOps;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _syncs;
    private readonly Histogram<double> _syncDuration;
    private volatile DeviceNode? _node;

    public NodeMetrics(NodeOptions options, DeviceNode node)
    {
        _node = node;
        var meterOptions = new MeterOptions(MeterName)
        {
            Version = "1.0",
            // The instance tag keeps a reopened node off the meter a host's factory cached for its predecessor.
            Tags = [new("ledger.name", options.Ledger), new("ledger.author", node.Author.Value), new("ledger.node.instance", Interlocked.Increment(ref _instances))],
        };
        _ownsMeter = options.MeterFactory is null;
        _meter = options.MeterFactory?.Create(meterOptions) ?? new Meter(meterOptions);
        _appends = _meter.CreateCounter<long>("ledger.node.appends", "{op}", "Appends that ended, by outcome (persisted, failed).");
        _commitOps = _meter.CreateHistogram<int>("ledger.node.commit.ops", "{op}", "Ops per group commit.");
        _commitDuration = _meter.CreateHistogram<double>("ledger.node.commit.duration", "s", "Time to commit one group to the store, flush included.");
        _syncs = _meter.CreateCounter<long>("ledger.node.syncs", "{sync}", "Sync rounds, by outcome (ok, offline, failed).");
        _syncDuration = _meter.CreateHistogram<double>("ledger.node.sync.duration", "s", "Time of one sync round (push, pull, gossip).");
        _meter.CreateObservableGauge("ledger.node.ladder", () => Read(Ladder), "{op}", "Own ops per rung of the durability ladder.");
        _meter.CreateObservableGauge("ledger.node.unacknowledged.age", () => Read(OldestUnacknowledged), "s", "Age of the oldest own op no relay acknowledged.");
        _meter.CreateObservableGauge("ledger.node.store.size", () => Read(StoreSize), "By", "Bytes the node's store occupies, and its cap.");
        _meter.CreateObservableGauge("ledger.node.health.findings", () => Read(Findings), "{finding}", "One per current health finding, tagged with its code and severity.");
    }

    public void AppendsEnded(int persisted, int failed) => Safely(() =>
    {
        if (persisted > 0) _appends.Add(persisted, Persisted);
        if (failed > 0) _appends.Add(failed, Failed);
    });

    public void Committed(int ops, TimeSpan took) => Safely(() =>
    {
        _commitOps.Record(ops);
        _commitDuration.Record(took.TotalSeconds);
    });

    public void Synced(string outcome, TimeSpan took) => Safely(() =>
    {
        var tag = new KeyValuePair<string, object?>("ledger.outcome", outcome);
        _syncs.Add(1, tag);
        _syncDuration.Record(took.TotalSeconds, tag);
    });

    public void Dispose()
    {
        _node = null;
        if (_ownsMeter) _meter.Dispose();
    }

    private static void Safely(Action record)
    {
        try
        {
            record();
        }
        catch (Exception)
        {
            // A listener's failure is the listener's; the node's work is done either way.
        }
    }

    private IEnumerable<Measurement<T>> Read<T>(Func<DeviceNode, IEnumerable<Measurement<T>>> read) where T : struct
    {
        if (_node is not { } node) return [];
        try
        {
            return read(node).ToArray();
        }
        catch (ObjectDisposedException)
        {
            return []; // the node closed between the check and the read
        }
    }

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
        [new Measurement<double>(node.Durability().OldestUnacknowledged is { } age ? age.TotalSeconds : 0)];

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
