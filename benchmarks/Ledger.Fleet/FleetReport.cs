namespace Ledger.Fleet;

/// <summary>One check of the audit.</summary>
public sealed record AuditCheck(string Name, bool Ok, string Detail);

/// <summary>What a fleet run measured and what the audit found (written as the JSON summary).</summary>
public sealed class FleetReport
{
    public required int Tills { get; init; }

    public required double Rate { get; init; }

    public required double WindowSeconds { get; init; }

    public required string Store { get; init; }

    public required int Instances { get; init; }

    public long Arrivals { get; set; }

    public long Dropped { get; set; }

    public long Requests { get; set; }

    public long RequestErrors { get; set; }

    public long AckedInWindow { get; set; }

    public double AcceptedOpsPerSecond { get; set; }

    public double RawVerifyPerSecondTwoThreads { get; set; }

    public double RatioToRawVerify { get; set; }

    public double PushP50Ms { get; set; }

    public double PushP99Ms { get; set; }

    public double PushP999Ms { get; set; }

    public double AckToObserverP99Ms { get; set; }

    public int Kills { get; set; }

    /// <summary>CPU seconds the relay instances used over the window and the drain (all their processes).</summary>
    public double RelayCpuSeconds { get; set; }

    /// <summary>CPU seconds this tool (tills, observers, watchers) used over the window and the drain.</summary>
    public double ToolCpuSeconds { get; set; }

    /// <summary>The observers' and watchers' requests over the window and the drain, by endpoint (ReadCounter).</summary>
    public Dictionary<string, long> ReaderRequests { get; set; } = [];

    /// <summary>Bytes of the answers to those requests (as the relay declared them).</summary>
    public long ReaderAnswerBytes { get; set; }

    /// <summary>Tills that held the live long poll (<c>--till-polls</c>).</summary>
    public int TillPolls { get; set; }

    /// <summary>Their long-poll requests over the window and the drain, and how many of them a new checkpoint answered.</summary>
    public long TillPollRequests { get; set; }

    public long TillPollWakes { get; set; }

    /// <summary>Store transactions that stored pushed ops, over the window and the drain, as the relays counted them (the
    /// metric <c>ledger.relay.commits</c> of each relay process, summed over instances and restarts): group commit stores
    /// the pushes that wait for a relay's gate in one. Null when a relay process did not answer.</summary>
    public long? RelayCommits { get; set; }

    /// <summary>Long polls the relays answered with a new checkpoint over the window and the drain (all readers: observers,
    /// watchers, listening tills), as the relays counted them; null when not known.</summary>
    public long? RelayLongPollAnswers { get; set; }

    /// <summary><c>event: size</c> events the relays wrote on event streams over the window and the drain; null when not known.</summary>
    public long? RelaySizeEvents { get; set; }

    /// <summary>Ops acknowledged over the window and the drain.</summary>
    public long AckedTotal { get; set; }

    /// <summary>PostgreSQL restarts (the <c>--pg-restart-command</c> run during the window) and what they took.</summary>
    public List<string> DatabaseRestarts { get; set; } = [];

    /// <summary>Relay starts repeated because the database was unreachable (a kill during a PostgreSQL restart).</summary>
    public int RelayStartRetries { get; set; }

    public Dictionary<string, long> Faults { get; set; } = [];

    public List<long> RelayPeakWorkingSetBytes { get; set; } = [];

    public List<long> RelayWorkingSetAfterWarmupMinMaxBytes { get; set; } = [];

    public List<int> RelayPeakOpenFiles { get; set; } = [];

    public long LogSize { get; set; }

    public long Lost { get; set; }

    public double DrainSeconds { get; set; }

    public List<AuditCheck> Audit { get; set; } = [];

    /// <summary>Cleanup steps after the audit that failed (a database not dropped, a relay not stopped): reported, not
    /// counted against the audit.</summary>
    public List<string> CleanupFailures { get; set; } = [];

    /// <summary>The audit re-run with one acknowledged op's told position shifted failed, as it must.</summary>
    public bool AuditCatchesAWrongPosition { get; set; }

    public bool Passed => Audit.Count > 0 && Audit.All(a => a.Ok) && AuditCatchesAWrongPosition;
}
