namespace Ledger.Tool;

/// <summary>A one-line progress counter on standard error, redrawn in place and cleared when done. Results go
/// to standard output only, so a script that reads them never sees progress.</summary>
internal sealed class Progress(TextWriter? error, string what) : IDisposable
{
    private long _lastDrawn = -1;

    /// <summary>Says that <paramref name="done"/> of <paramref name="total"/> items are done.</summary>
    public void Report(long done, long total)
    {
        if (error is null) return;

        // Redraw at most 100 times however large the work: a terminal is slower than the work.
        var step = Math.Max(1, total / 100);
        if (done != total && done - _lastDrawn < step) return;
        _lastDrawn = done;
        error.Write(FormattableString.Invariant($"\r{what}: {done}/{total}"));
        error.Flush();
    }

    /// <summary>Clears the line.</summary>
    public void Dispose()
    {
        if (error is null || _lastDrawn < 0) return;
        error.Write("\r" + new string(' ', what.Length + 24) + "\r");
        error.Flush();
    }
}
