using Ledger.Sync.AspNetCore;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the relay protocol over HTTP (docs/http-protocol.md) on minimal APIs.</summary>
public static class LedgerRelayEndpointRouteBuilderExtensions
{
    /// <summary>The path every endpoint lives under.</summary>
    public const string Prefix = "/v1/ledgers/{ledger}";

    /// <summary>Maps the endpoints of the <see cref="LedgerRelayServer"/> registered by
    /// <see cref="LedgerRelayServiceCollectionExtensions.AddLedgerRelay"/>.</summary>
    public static RouteGroupBuilder MapLedgerRelay(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapLedgerRelay(endpoints.ServiceProvider.GetRequiredService<LedgerRelayServer>());
    }

    /// <summary>Maps the endpoints of <paramref name="server"/> (no DI needed). Returns the route group, so a host can
    /// add its conventions (rate limiting per author, say) to every endpoint.</summary>
    public static RouteGroupBuilder MapLedgerRelay(this IEndpointRouteBuilder endpoints, LedgerRelayServer server)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(server);
        var group = endpoints.MapGroup(Prefix);
        group.MapPost("/ops", server.PushAsync);
        group.MapGet("/checkpoint", server.CheckpointAsync);
        group.MapGet("/events", server.EventsAsync);
        group.MapGet("/tile/{**path}", server.TileAsync);
        group.MapGet("/authors/{author}/ops", server.AuthorAsync);
        group.MapGet("/proof/consistency", server.ConsistencyAsync);
        group.MapGet("/proof/inclusion", server.InclusionAsync);
        group.MapPost("/cosignatures", server.PostCosignatureAsync);
        group.MapGet("/cosignatures", server.GetCosignaturesAsync);
        group.MapPost("/beacons", server.PostBeaconAsync);
        group.MapGet("/alerts", server.GetAlertsAsync);
        // Everything else under a ledger (another method, an unknown call) is a problem too, never an empty 404/405.
        group.Map("/{**rest}", server.UnknownAsync);
        return group;
    }
}
