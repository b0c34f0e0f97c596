using System.Globalization;

namespace Ledger.Fleet;

/// <summary>What a relay process counted of its own work since it started: its store transactions that stored pushed
/// ops (the metric <c>ledger.relay.commits</c>, read by <see cref="RelayTotalsReporter"/>), the long polls it answered
/// with a new checkpoint and the size events it wrote on event streams (<c>LedgerRelayServer.LongPollAnswers</c>,
/// <c>SizeEvents</c>). The fleet asks the child for them over its standard input (<see cref="Request"/>) and reads the
/// answer line from its standard output: the numbers come from the relay, not from what the tool inferred.</summary>
internal sealed record RelayTotals(long Commits, long LongPollAnswers, long SizeEvents)
{
    /// <summary>The line the fleet writes to a relay child to ask.</summary>
    public const string Request = "totals";

    private const string Prefix = "totals ";

    public static readonly RelayTotals Zero = new(0, 0, 0);

    /// <summary>Long-poll answers and size events together: each tells one waiting device that the log grew.</summary>
    public long Announcements => LongPollAnswers + SizeEvents;

    public RelayTotals Plus(RelayTotals other) => new(Commits + other.Commits, LongPollAnswers + other.LongPollAnswers, SizeEvents + other.SizeEvents);

    public RelayTotals Minus(RelayTotals other) => new(Commits - other.Commits, LongPollAnswers - other.LongPollAnswers, SizeEvents - other.SizeEvents);

    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{Prefix}commits={Commits} long-poll-answers={LongPollAnswers} size-events={SizeEvents}");

    /// <summary>Reads a line of <see cref="ToLine"/>; false for any other line (the relay's other output).</summary>
    public static bool TryParse(string line, out RelayTotals? totals)
    {
        totals = null;
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        long? commits = null, answers = null, events = null;
        foreach (var field in line[Prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || !long.TryParse(field.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return false;
            switch (field[..eq])
            {
                case "commits": commits = value; break;
                case "long-poll-answers": answers = value; break;
                case "size-events": events = value; break;
                default: return false;
            }
        }

        if (commits is null || answers is null || events is null) return false;
        totals = new RelayTotals(commits.Value, answers.Value, events.Value);
        return true;
    }
}
