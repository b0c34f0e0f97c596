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
        // The metadata tells the step before the rate limiter (UseLedgerRelayRateLimiter) which calls carry a signed body.
        var write = new LedgerRelayServer.RelayCallMetadata(Write: true);
        var read = new LedgerRelayServer.RelayCallMetadata(Write: false);
        group.MapPost("/ops", server.PushAsync).WithMetadata(write);
        group.MapGet("/checkpoint", server.CheckpointAsync).WithMetadata(read);
        group.MapGet("/events", server.EventsAsync).WithMetadata(read);
        group.MapGet("/tile/{**path}", server.TileAsync).WithMetadata(read);
        group.MapGet("/authors/{author}/ops", server.AuthorAsync).WithMetadata(read);
        group.MapGet("/proof/consistency", server.ConsistencyAsync).WithMetadata(read);
        group.MapGet("/proof/inclusion", server.InclusionAsync).WithMetadata(read);
        group.MapPost("/cosignatures", server.PostCosignatureAsync).WithMetadata(write);
        group.MapGet("/cosignatures", server.GetCosignaturesAsync).WithMetadata(read);
        group.MapPost("/beacons", server.PostBeaconAsync).WithMetadata(write);
        group.MapGet("/alerts", server.GetAlertsAsync).WithMetadata(read);
        group.MapPost("/bootstrap", server.PostBootstrapAsync).WithMetadata(write);
        group.MapGet("/bootstrap", server.GetBootstrapAsync).WithMetadata(read);
        // Everything else under a ledger (another method, an unknown call) is a problem too, never an empty 404/405.
        group.Map("/{**rest}", server.UnknownAsync).WithMetadata(read);
        if (server.Options.RequestsPerSecondPerAuthor is not null) group.RequireRateLimiting(LedgerRelayServer.RateLimiterPolicy);
        return group;
    }
}
