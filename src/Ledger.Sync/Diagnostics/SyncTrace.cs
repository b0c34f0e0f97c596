using System.Diagnostics;

namespace Ledger.Sync;

/// <summary>The sync round's span: kept out of <see cref="DeviceNode"/> so the node only starts and ends it.</summary>
internal static class SyncTrace
{
    public static Activity? StartRound(DeviceNode node)
    {
        var activity = SyncActivities.Start("ledger.sync");
        if (activity is null) return null;
        activity.SetTag("ledger.name", node.Ledger);
        activity.SetTag("ledger.author", node.Author.Value);
        return activity;
    }

    public static void EndRound(Activity? activity, string outcome)
    {
        if (activity is null) return;
        activity.SetTag("ledger.outcome", outcome);
        if (outcome == "failed") activity.SetStatus(ActivityStatusCode.Error);
    }
}
