using Ledger.Sync.AspNetCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks of an HTTP relay.</summary>
public static class LedgerRelayHealthChecksBuilderExtensions
{
    /// <summary>Adds a check of the registered <see cref="LedgerRelayServer"/> (<see cref="LedgerRelayHealthCheck"/>):
    /// unhealthy when a store cannot answer, degraded while the fleet has alerts.</summary>
    public static IHealthChecksBuilder AddLedgerRelay(this IHealthChecksBuilder builder, string name = "ledger-relay", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, provider => new LedgerRelayHealthCheck(provider.GetRequiredService<LedgerRelayServer>()), null, tags ?? ["ledger"]));
    }
}
