using System.Globalization;

namespace Ledger.Sync;

/// <summary>A node's view of itself, for a device with no server to read its logs: the durability ladder and
/// every finding, worst first. Cheap enough to poll; <see cref="DeviceNode.Health"/> makes one.</summary>
public sealed record NodeHealth(DurabilityReport Durability, IReadOnlyList<HealthFinding> Findings)
{
    /// <summary>How the node's state sits in memory: resident bytes against the budget, evictions and loads (risk B1).</summary>
    public Ledger.Kernel.StateMemoryReport? Memory { get; init; }

    /// <summary>Where the store's whole-file integrity check stands (<see cref="IStoreIntegrity"/>): Pending for a while
    /// after a SQLite node store opened; a Failed check is also the critical finding <see cref="HealthCodes.StoreDamaged"/>.</summary>
    public StoreCheckStatus StoreCheck { get; init; }

    /// <summary>The worst severity found, or null when all is well.</summary>
    public HealthSeverity? Worst => Findings.Count == 0 ? null : Findings.Max(f => f.Severity);

    /// <summary>True when nothing was found.</summary>
    public bool IsHealthy => Findings.Count == 0;

    /// <inheritdoc />
    public override string ToString() => IsHealthy
        ? "healthy · " + Durability
        : string.Create(CultureInfo.InvariantCulture, $"{Worst} · {string.Join(" · ", Findings.Select(f => f.Code))} · {Durability}");
}
