using System.Diagnostics.Metrics;

namespace Ledger.Sync;

/// <summary>A relay's instruments on the meter <c>Ledger.Sync.Relay</c>, tagged with the ledger
/// (docs/observability.md), made from the host's <see cref="IMeterFactory"/> when one is configured
/// (<see cref="RelayOptions.MeterFactory"/>, set by <c>AddLedgerSync</c>), else on a meter the relay owns.</summary>
/// <remarks>Recorded after a batch is answered, outside the ingest path's gate; a listener that throws never fails
/// an ingest that is already committed. The commit count is an observable counter: the ingest path only increments a
/// number, and a listener reads it when it collects.</remarks>
internal sealed class RelayMetrics : IDisposable
{
    public const string MeterName = "Ledger.Sync.Relay";
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _ops;
    private readonly Histogram<double> _duration;
    private readonly Histogram<int> _batch;
    private readonly KeyValuePair<string, object?> _ledger;
    private readonly (string Ledger, Func<long> Count) _commits;

    /// <param name="options">The relay's options (meter factory, ledger).</param>
    /// <param name="commits">The relay's count of store transactions that stored pushed ops (<see cref="Relay.Commits"/>):
    /// observed, so the ingest path only bumps a number and a listener reads it when it collects (outside the gate).</param>
    public RelayMetrics(RelayOptions options, Func<long> commits)
    {
        var meterOptions = new MeterOptions(MeterName) { Version = "1.0" };
        _ownsMeter = options.MeterFactory is null;
        _meter = options.MeterFactory?.Create(meterOptions) ?? new Meter(meterOptions);
        _ledger = new("ledger.name", options.Ledger);
        _ops = _meter.CreateCounter<long>("ledger.relay.ops", "{op}", "Ops offered to relays, by ledger, status and refusal.");
        _duration = _meter.CreateHistogram<double>("ledger.relay.ingest.duration", "s", "Time to verify, persist and acknowledge one batch.");
        _batch = _meter.CreateHistogram<int>("ledger.relay.ingest.ops", "{op}", "Ops per ingested batch.");
        // Group commit stores the pushes that wait for the gate in one transaction, so a relay's cost depends on its
        // commits as well as its pushes and ops (docs/scaling.md): the capacity model reads this count. A host's meter
        // factory hands one meter to every relay of the host: one instrument per meter reads each open relay's count.
        _commits = (options.Ledger, commits);
        CommitSources.ByMeter.GetValue(_meter, meter => new CommitSources(meter)).Add(_commits);
    }

    public void Pushed(IngestResponse response, int batch, TimeSpan took)
    {
        try
        {
            _duration.Record(took.TotalSeconds, _ledger);
            _batch.Record(batch, _ledger);
            if (!_ops.Enabled) return;
            foreach (var r in response.Results)
            {
                _ops.Add(1, _ledger, new KeyValuePair<string, object?>("ledger.status", StatusName(r.Status)),
                    new KeyValuePair<string, object?>("ledger.refusal", r.Refusal is { } why ? why.ToString().ToLowerInvariant() : "none"));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A metrics listener must not fail an ingest that is already committed and about to be acknowledged.
        }
    }

    public void Dispose()
    {
        if (CommitSources.ByMeter.TryGetValue(_meter, out var sources)) sources.Remove(_commits);
        if (_ownsMeter) _meter.Dispose();
    }

    /// <summary>The one <c>ledger.relay.commits</c> instrument of a meter and the open relays it reads (summed by ledger;
    /// a disposed relay is released).</summary>
    private sealed class CommitSources
    {
        public static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Meter, CommitSources> ByMeter = new();
        private readonly Lock _lock = new();
        private readonly List<(string Ledger, Func<long> Count)> _open = [];

        public CommitSources(Meter meter) =>
            meter.CreateObservableCounter("ledger.relay.commits", Observe, "{commit}",
                "Store transactions that stored pushed ops: one per push stored alone, one per group of pushes stored together.");

        public void Add((string Ledger, Func<long> Count) source)
        {
            lock (_lock) _open.Add(source);
        }

        public void Remove((string Ledger, Func<long> Count) source)
        {
            lock (_lock) _open.Remove(source);
        }

        private IEnumerable<Measurement<long>> Observe()
        {
            (string Ledger, Func<long> Count)[] open;
            lock (_lock) open = [.. _open];
            return open.GroupBy(o => o.Ledger, StringComparer.Ordinal)
                .Select(g => new Measurement<long>(g.Sum(o => o.Count()), new KeyValuePair<string, object?>("ledger.name", g.Key)))
                .ToArray();
        }
    }

    private static string StatusName(IngestStatus status) => status switch
    {
        IngestStatus.Accepted => "accepted",
        IngestStatus.Duplicate => "duplicate",
        IngestStatus.Refused => "refused",
        _ => "other",
    };
}
