using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Sync.Http;

/// <summary>Maps <see cref="DeviceNode.Health"/> to Microsoft.Extensions.Diagnostics.HealthChecks: a critical finding
/// is <see cref="HealthStatus.Unhealthy"/>, a warning <see cref="HealthStatus.Degraded"/>, none
/// <see cref="HealthStatus.Healthy"/>. The data are the ladder's counts and the findings' stable codes — no personal
/// data, no key. Registered by <c>services.AddHealthChecks().AddLedgerNode()</c>.</summary>
public sealed class LedgerNodeHealthCheck : IHealthCheck
{
    private readonly Func<DeviceNode> _node;

    /// <summary>Checks the node <paramref name="node"/> returns (the one open now).</summary>
    public LedgerNodeHealthCheck(Func<DeviceNode> node) => _node = node ?? throw Errors.ArgumentNull(nameof(node));

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        NodeHealth health;
        try
        {
            health = _node().Health();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the node is not open: " + e.Message));
        }

        return Task.FromResult(Map(health));
    }

    /// <summary>The health check result of <paramref name="health"/>.</summary>
    public static HealthCheckResult Map(NodeHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        var d = health.Durability;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["local"] = d.Local,
            ["syncing"] = d.Syncing,
            ["durable"] = d.Safe,
            ["refused"] = d.Refused,
            ["oldestUnacknowledgedSeconds"] = d.OldestUnacknowledged is { } age ? (long)age.TotalSeconds : 0L,
            ["findings"] = health.Findings.Select(f => f.Code).ToArray(),
        };
        var description = health.IsHealthy
            ? string.Create(CultureInfo.InvariantCulture, $"healthy: {d.Local + d.Syncing} op(s) not yet durable")
            : string.Join(" ", health.Findings.Select(f => $"[{f.Code}] {f.Message}"));
        var status = health.Worst switch
        {
            null => HealthStatus.Healthy,
            HealthSeverity.Critical => HealthStatus.Unhealthy,
            _ => HealthStatus.Degraded,
        };
        return new HealthCheckResult(status, description, data: data);
    }
}
