using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Sync.AspNetCore;

/// <summary>Maps a relay's state to Microsoft.Extensions.Diagnostics.HealthChecks: unhealthy when a ledger's store
/// cannot answer (its signed checkpoint cannot be read), degraded while the fleet has alerts (beacons), healthy
/// otherwise. The data are each ledger's size, beacons and alert codes. Registered by
/// <c>services.AddHealthChecks().AddLedgerRelay()</c>; the relay host maps it at <c>/healthz</c>.</summary>
public sealed class LedgerRelayHealthCheck : IHealthCheck
{
    private readonly LedgerRelayServer _server;

    /// <summary>Checks <paramref name="server"/>.</summary>
    public LedgerRelayHealthCheck(LedgerRelayServer server) => _server = server ?? throw Error.ArgumentNull(nameof(server));

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["pushes"] = _server.Pushes,
            ["reads"] = _server.Reads,
            ["authFailures"] = _server.AuthFailures,
        };
        var alerts = new List<string>();
        foreach (var ledger in _server.Options.Ledgers)
        {
            try
            {
                await ledger.Relay.GetCheckpointAsync(null, cancellationToken).ConfigureAwait(false);
                await ledger.Beacons.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"ledger '{ledger.Name}': the relay cannot read its log or beacons ({e.GetType().Name}: {e.Message}).", e, data);
            }

            data[ledger.Name + ".size"] = ledger.Relay.Size;
            data[ledger.Name + ".beacons"] = _server.GetBeacons(ledger.Name).Count;
            var found = _server.GetAlerts(ledger.Name);
            data[ledger.Name + ".alerts"] = found.Select(a => a.Code).ToArray();
            alerts.AddRange(found.Select(a => ledger.Name + ": " + a));
        }

        return alerts.Count == 0
            ? HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"{_server.Options.Ledgers.Count} ledger(s) served, no fleet alert"), data)
            : HealthCheckResult.Degraded(string.Join("; ", alerts), data: data);
    }
}
