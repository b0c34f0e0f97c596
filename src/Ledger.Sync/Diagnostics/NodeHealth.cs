using System.Globalization;

namespace Ledger.Sync;

/// <summary>How bad a health finding is.</summary>
public enum HealthSeverity
{
    /// <summary>Worth showing; nothing is at risk yet.</summary>
    Warning = 1,

    /// <summary>Data or trust is at risk now: act.</summary>
    Critical = 2,
}

/// <summary>One thing a node found wrong with itself: a stable <see cref="Code"/> (see <see cref="HealthCodes"/>)
/// for programs and a sentence for people that says what to do.</summary>
public sealed record HealthFinding(HealthSeverity Severity, string Code, string Message);

/// <summary>The stable codes of <see cref="HealthFinding"/>.</summary>
public static class HealthCodes
{
    /// <summary>The store is near its size cap (writes will fail at the cap).</summary>
    public const string StoreNearCap = "store-near-cap";

    /// <summary>Own ops have been on this device only for longer than the thresholds allow.</summary>
    public const string UnacknowledgedTooLong = "unacknowledged-too-long";

    /// <summary>The node stopped trusting its relay (evidence of equivocation).</summary>
    public const string RelayFrozen = "relay-frozen";

    /// <summary>The node holds evidence of misbehaviour (a split view, a client fork, a stale-key op).</summary>
    public const string Evidence = "evidence";

    /// <summary>Ops are parked: this software cannot fold them yet (usually: update needed).</summary>
    public const string Parked = "parked";

    /// <summary>The relay refused own ops for good (they will never be durable).</summary>
    public const string Refused = "refused";

    /// <summary>The post-commit handler (<see cref="NodeOptions.Folded"/>) threw.</summary>
    public const string HandlerFaults = "handler-faults";

    /// <summary>The node failed while folding its own op and refuses appends until it is reopened.</summary>
    public const string WriterFault = "writer-fault";

    /// <summary>The eviction policy (<see cref="NodeOptions.AutoExport"/>) could not write its export.</summary>
    public const string ExportFailed = "export-failed";
}

/// <summary>When a node's own state becomes a finding (<see cref="NodeOptions.Health"/>).</summary>
public sealed class HealthThresholds
{
    /// <summary>Store size, in percent of its cap, that is a warning. Default 80.</summary>
    public double StoreWarningPercent { get; set; } = 80;

    /// <summary>Store size, in percent of its cap, that is critical. Default 95.</summary>
    public double StoreCriticalPercent { get; set; } = 95;

    /// <summary>Age of the oldest op held only here that is a warning. Default one day.</summary>
    public TimeSpan UnacknowledgedWarningAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Age of the oldest op held only here that is critical. Default five days: browsers and phones
    /// evict the storage of apps unused for seven.</summary>
    public TimeSpan UnacknowledgedCriticalAge { get; set; } = TimeSpan.FromDays(5);
}

/// <summary>A node's view of itself, for a device with no server to read its logs: the durability ladder and
/// every finding, worst first. Cheap enough to poll; <see cref="DeviceNode.Health"/> makes one.</summary>
public sealed record NodeHealth(DurabilityReport Durability, IReadOnlyList<HealthFinding> Findings)
{
    /// <summary>The worst severity found, or null when all is well.</summary>
    public HealthSeverity? Worst => Findings.Count == 0 ? null : Findings.Max(f => f.Severity);

    /// <summary>True when nothing was found.</summary>
    public bool IsHealthy => Findings.Count == 0;

    /// <inheritdoc />
    public override string ToString() => IsHealthy
        ? "healthy · " + Durability
        : string.Create(CultureInfo.InvariantCulture, $"{Worst} · {string.Join(" · ", Findings.Select(f => f.Code))} · {Durability}");
}
