using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Ledger.Sync;

/// <summary>A node's instruments on the meter <c>Ledger.Sync.Node</c>, tagged with the ledger and the author
/// (docs/observability.md). Counters and histograms are recorded on the append and sync paths; gauges are read
/// from the node only when a listener collects.</summary>
/// <remarks>Recording never throws into the node: a listener that throws must not fail an append that is already
/// on disk, nor stop a pipeline thread. A host's <see cref="IMeterFactory"/> hands the same meter to every node
/// of one (ledger, author) — a reopened node — so the instruments are made once per meter and the gauges read
/// whichever node is open now; a closed node is released.</remarks>
internal sealed class NodeMetrics : IDisposable
{
    public const string MeterName = "Ledger.Sync.Node";
    private static readonly ConditionalWeakTable<Meter, Instruments> ByMeter = new();
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Instruments _instruments;
    private readonly DeviceNode _node;

    public NodeMetrics(NodeOptions options, DeviceNode node)
    {
        _node = node;
        var meterOptions = new MeterOptions(MeterName)
        {
            Version = "1.0",
            Tags = [new("ledger.name", options.Ledger), new("ledger.author", node.Author.Value)],
        };
        _ownsMeter = options.MeterFactory is null;
        _meter = options.MeterFactory?.Create(meterOptions) ?? new Meter(meterOptions);
        _instruments = ByMeter.GetValue(_meter, meter => new Instruments(meter));
        _instruments.Node = node;
    }

    public void AppendsEnded(int persisted, int failed) => Safely(() =>
    {
        if (persisted > 0) _instruments.Appends.Add(persisted, Instruments.Persisted);
        if (failed > 0) _instruments.Appends.Add(failed, Instruments.Failed);
    });

    public void Committed(int ops, TimeSpan took) => Safely(() =>
    {
        SyncActivities.Record("ledger.commit", took, "ledger.ops", ops);
        _instruments.CommitOps.Record(ops);
        _instruments.CommitDuration.Record(took.TotalSeconds);
    });

    public void Synced(string outcome, TimeSpan took) => Safely(() =>
    {
        var tag = new KeyValuePair<string, object?>("ledger.outcome", outcome);
        _instruments.Syncs.Add(1, tag);
        _instruments.SyncDuration.Record(took.TotalSeconds, tag);
    });

    public void Dispose()
    {
        Interlocked.CompareExchange(ref _instruments.Node, null, _node);
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

    /// <summary>One set of instruments per meter.</summary>
    private sealed class Instruments
    {
        public static readonly KeyValuePair<string, object?> Persisted = new("ledger.outcome", "persisted");
        public static readonly KeyValuePair<string, object?> Failed = new("ledger.outcome", "failed");

        public DeviceNode? Node;

        public Instruments(Meter meter)
        {
            Appends = meter.CreateCounter<long>("ledger.node.appends", "{op}", "Appends that ended, by outcome (persisted, failed).");
            CommitOps = meter.CreateHistogram<int>("ledger.node.commit.ops", "{op}", "Ops per group commit.");
            CommitDuration = meter.CreateHistogram<double>("ledger.node.commit.duration", "s", "Time to commit one group to the store, flush included.");
            Syncs = meter.CreateCounter<long>("ledger.node.syncs", "{sync}", "Sync rounds, by outcome (ok, offline, failed).");
            SyncDuration = meter.CreateHistogram<double>("ledger.node.sync.duration", "s", "Time of one sync round (push, pull, gossip).");
            meter.CreateObservableGauge("ledger.node.ladder", () => Read(Ladder), "{op}", "Own ops per rung of the durability ladder.");
            meter.CreateObservableGauge("ledger.node.unacknowledged.age", () => Read(OldestUnacknowledged), "s", "Age of the oldest own op no relay acknowledged.");
            meter.CreateObservableGauge("ledger.node.store.size", () => Read(StoreSize), "By", "Bytes the node's store occupies, and its cap.");
            meter.CreateObservableGauge("ledger.node.health.findings", () => Read(Findings), "{finding}", "One per current health finding, tagged with its code and severity.");
        }

        public Counter<long> Appends { get; }

        public Histogram<int> CommitOps { get; }

        public Histogram<double> CommitDuration { get; }

        public Counter<long> Syncs { get; }

        public Histogram<double> SyncDuration { get; }

        private IEnumerable<Measurement<T>> Read<T>(Func<DeviceNode, IEnumerable<Measurement<T>>> read) where T : struct
        {
            if (Volatile.Read(ref Node) is not { } node) return [];
            try
            {
                return read(node).ToArray();
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
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
}
