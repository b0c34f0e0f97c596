using System.Diagnostics;

namespace Ledger.Sync;

/// <summary>The sync round's span: kept out of the node's sync code, which only starts and ends it.</summary>
internal static class SyncTrace
{
    public static Activity? StartRound(string ledger, Ledger.Kernel.AuthorId author)
    {
        var activity = SyncActivities.Start("ledger.sync");
        if (activity is null) return null;
        activity.SetTag("ledger.name", ledger);
        activity.SetTag("ledger.author", author.Value);
        return activity;
    }

    public static void EndRound(Activity? activity, string outcome)
    {
        if (activity is null) return;
        activity.SetTag("ledger.outcome", outcome);
        if (outcome == "failed") activity.SetStatus(ActivityStatusCode.Error);
    }
}
