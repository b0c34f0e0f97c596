using System.Diagnostics;

namespace Ledger.Sync;

/// <summary>The <see cref="ActivitySource"/> of Ledger.Sync (docs/observability.md, "Traces"): spans for appends,
/// group commits, sync rounds with their push and pull, relay ingests and relay rebuilds. Listen with
/// OpenTelemetry's <c>AddSource(SyncActivities.SourceName)</c> or an <see cref="ActivityListener"/>.</summary>
/// <remarks>Spans carry counts, ledger and author ids, never op contents, keys or personal data. Starting a span
/// costs nothing when nobody listens.</remarks>
public static class SyncActivities
{
    /// <summary>The source's name, <c>Ledger.Sync</c>.</summary>
    public const string SourceName = "Ledger.Sync";

    internal static readonly ActivitySource Source = new(SourceName, "1.0");

    /// <summary>Starts a span (null when nobody listens).</summary>
    internal static Activity? Start(string name, ActivityKind kind = ActivityKind.Internal) => Source.StartActivity(name, kind);

    /// <summary>Records a span for work measured elsewhere (the writer thread's group commit), ending now.</summary>
    internal static void Record(string name, TimeSpan took, string tag, long value)
    {
        try
        {
            if (!Source.HasListeners()) return;
            var end = DateTime.UtcNow;
            using var activity = Source.StartActivity(name, ActivityKind.Internal, default(ActivityContext), startTime: end - took);
            if (activity is null) return;
            activity.SetTag(tag, value);
            activity.SetEndTime(end);
        }
        catch (Exception)
        {
            // A listener's failure is the listener's; the node's work is done either way.
        }
    }
}
