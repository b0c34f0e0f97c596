using System.Globalization;

namespace Ledger.Sync.AspNetCore;

/// <summary>Something wrong in the fleet, computed by the relay from the devices' beacons (risk G2;
/// docs/observability.md, "Fleet alerts"): a stable <see cref="Code"/> (<see cref="FleetAlertCodes"/>), the nodes
/// concerned, the relay prefix when it matters, and what to do.</summary>
/// <param name="Code">The stable code.</param>
/// <param name="Nodes">The author ids of the nodes concerned, sorted.</param>
/// <param name="Prefix">The relay prefix (divergence only).</param>
/// <param name="Message">What was seen and what to do, for people.</param>
public sealed record FleetAlert(string Code, IReadOnlyList<string> Nodes, long? Prefix, string Message)
{
    /// <summary>The witness line: <c>ALERT &lt;code&gt; nodes=&lt;a&gt;,&lt;b&gt; [prefix=&lt;p&gt;]</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ALERT {Code} nodes={string.Join(",", Nodes)}{(Prefix is { } p ? $" prefix={p}" : "")}");
}
