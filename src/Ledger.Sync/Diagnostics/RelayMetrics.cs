using System.Diagnostics.Metrics;

namespace Ledger.Sync;

/// <summary>A relay's instruments on the meter <c>Ledger.Sync.Relay</c>, tagged with the ledger
/// (docs/observability.md), made from the host's <see cref="IMeterFactory"/> when one is configured
/// (<see cref="RelayOptions.MeterFactory"/>, set by <c>AddLedgerSync</c>), else on a meter the relay owns.</summary>
/// <remarks>Recorded after a batch is answered, outside the ingest path's gate; a listener that throws never fails
/// an ingest that is already committed.</remarks>
internal sealed class RelayMetrics : IDisposable
{
    public const string MeterName = "Ledger.Sync.Relay";
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _ops;
    private readonly Histogram<double> _duration;
    private readonly Histogram<int> _batch;
    private readonly KeyValuePair<string, object?> _ledger;

    public RelayMetrics(RelayOptions options)
    {
        var meterOptions = new MeterOptions(MeterName) { Version = "1.0" };
        _ownsMeter = options.MeterFactory is null;
        _meter = options.MeterFactory?.Create(meterOptions) ?? new Meter(meterOptions);
        _ledger = new("ledger.name", options.Ledger);
        _ops = _meter.CreateCounter<long>("ledger.relay.ops", "{op}", "Ops offered to relays, by ledger, status and refusal.");
        _duration = _meter.CreateHistogram<double>("ledger.relay.ingest.duration", "s", "Time to verify, persist and acknowledge one batch.");
        _batch = _meter.CreateHistogram<int>("ledger.relay.ingest.ops", "{op}", "Ops per ingested batch.");
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
        if (_ownsMeter) _meter.Dispose();
    }

    private static string StatusName(IngestStatus status) => status switch
    {
        IngestStatus.Accepted => "accepted",
        IngestStatus.Duplicate => "duplicate",
        IngestStatus.Refused => "refused",
        _ => "other",
    };
}
