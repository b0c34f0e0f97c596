using Ledger.Sync;
using Ledger.Sync.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks of a device node.</summary>
public static class LedgerHealthChecksBuilderExtensions
{
    /// <summary>Adds a check of the <see cref="DeviceNode"/> the app registers (<see cref="LedgerNodeHealthCheck"/>):
    /// critical findings are unhealthy, warnings degraded.</summary>
    public static IHealthChecksBuilder AddLedgerNode(this IHealthChecksBuilder builder, string name = "ledger-node", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, provider => new LedgerNodeHealthCheck(() => provider.GetRequiredService<DeviceNode>()), null, tags ?? ["ledger"]));
    }
}
