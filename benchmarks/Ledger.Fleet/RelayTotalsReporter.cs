using System.Diagnostics.Metrics;
using Ledger.Sync.AspNetCore;

namespace Ledger.Fleet;

/// <summary>In a relay child process (<c>--serve-relay</c>): listens to the relay's own meter for
/// <c>ledger.relay.commits</c> (an observable counter, read only when collected) and answers each <c>totals</c> line
/// on standard input with a <see cref="RelayTotals"/> line on standard output.</summary>
internal sealed class RelayTotalsReporter : IDisposable
{
    private const string RelayMeter = "Ledger.Sync.Relay";
    private const string CommitsInstrument = "ledger.relay.commits";
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private long _commits;

    public RelayTotalsReporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RelayMeter && instrument.Name == CommitsInstrument) listener.EnableMeasurementEvents(instrument);
        };
        // One measurement per ledger the process serves (here one): their sum.
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _commits += value);
        _listener.Start();
    }

    /// <summary>The relay's counts now.</summary>
    public RelayTotals Read(LedgerRelayServer server)
    {
        lock (_lock)
        {
            _commits = 0;
            _listener.RecordObservableInstruments();
            return new RelayTotals(_commits, server.LongPollAnswers, server.SizeEvents);
        }
    }

    /// <summary>Answers the fleet's requests on <paramref name="input"/> until it closes (on a thread of its own: the
    /// console's reads block).</summary>
    public void AnswerInBackground(LedgerRelayServer server, TextReader input, TextWriter output)
    {
        var thread = new Thread(() =>
        {
            try
            {
                while (input.ReadLine() is { } line)
                {
                    if (line.Trim() != RelayTotals.Request) continue;
                    // The console's writer is synchronized: the line goes out whole beside the relay's other output.
                    output.WriteLine(Read(server).ToLine());
                    output.Flush();
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The fleet went away: nobody to answer.
            }
        }) { IsBackground = true, Name = "relay totals" };
        thread.Start();
    }

    public void Dispose() => _listener.Dispose();
}
