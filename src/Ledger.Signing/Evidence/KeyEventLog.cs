using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>Verifies an author's key events on their own — without the ops between them. Pre-rotation
/// makes this possible: each rotation is valid exactly when it reveals the key the previous event
/// committed to and is signed by it, and the inception certifies the author id.</summary>
public static class KeyEventLog
{
    /// <summary>Verifies <paramref name="events"/> (inception first, seqs increasing) and returns the key
    /// state after each, or the reason they fail.</summary>
    public static bool TryVerify(string ledger, AuthorId author, IReadOnlyList<SignedOp> events, out IReadOnlyList<(ulong Seq, KeyState State)> timeline, out string problem)
    {
        ArgumentNullException.ThrowIfNull(events);
        var states = new List<(ulong, KeyState)>();
        timeline = states;
        problem = "";
        if (events.Count == 0 || events[0].Op.Seq != 1)
        {
            problem = "the key event log must start with the inception at seq 1.";
            return false;
        }

        var verifier = new AuthorChainVerifier(ledger, author);
        var check = verifier.Append(events[0]);
        if (!check.IsOk)
        {
            problem = $"inception: {check.Break}: {check.Detail}";
            return false;
        }

        states.Add((1, verifier.Keys!));
        for (var i = 1; i < events.Count; i++)
        {
            var e = events[i];
            if (!KeyEvents.IsKeyEvent(e.Op) || e.Op.Seq <= states[^1].Item1)
            {
                problem = $"event {i} ({e.Ref}) is not a key event in seq order.";
                return false;
            }

            var resumed = AuthorChainVerifier.Resume(ledger, author, e.Op.Seq - 1, e.Op.Prev, states[^1].Item2);
            check = resumed.Append(e);
            if (!check.IsOk)
            {
                problem = $"{e.Ref}: {check.Break}: {check.Detail}";
                return false;
            }

            states.Add((e.Op.Seq, resumed.Keys!));
        }

        return true;
    }

    /// <summary>The key state in force for an op at <paramref name="seq"/>: after the last event before it.</summary>
    public static KeyState? StateBefore(IReadOnlyList<(ulong Seq, KeyState State)> timeline, ulong seq)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        KeyState? state = null;
        foreach (var (at, s) in timeline)
        {
            if (at < seq) state = s;
        }

        return state;
    }
}
