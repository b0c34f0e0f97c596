using System.Globalization;

namespace Ledger.Sync;

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
