using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the monitor page (docs/observability.md, "The monitor page"): server-rendered HTML with a small
/// script, no front-end build. Every widget shows measured values; no personal data (row keys are shown as hashes).</summary>
public static class LedgerMonitorEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>GET {pattern}</c> (the page) and <c>GET {pattern}/figure</c> (the signed ops behind one figure,
    /// JSON) for <paramref name="options"/>; without options, for the <see cref="LedgerRelayServer"/> and the
    /// <see cref="DeviceNode"/> the container holds (either may be missing).</summary>
    /// <remarks>The page reveals the fleet's state and a node's figures: map it on loopback or behind the host's
    /// authorization (<c>.RequireAuthorization()</c> on the returned group).</remarks>
    public static RouteGroupBuilder MapLedgerMonitor(this IEndpointRouteBuilder endpoints, LedgerMonitorOptions? options = null, string pattern = "/monitor")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        options ??= new LedgerMonitorOptions
        {
            Server = endpoints.ServiceProvider.GetService<LedgerRelayServer>(),
            Node = endpoints.ServiceProvider.GetService<DeviceNode>(),
        };
        var page = new MonitorPage(options, pattern.TrimEnd('/'));
        var group = endpoints.MapGroup(pattern);
        group.MapGet("/", page.RenderAsync);
        group.MapGet("/figure", page.FigureAsync);
        return group;
    }
}
