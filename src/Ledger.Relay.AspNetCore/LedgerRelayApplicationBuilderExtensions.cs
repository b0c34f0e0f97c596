using Ledger.Sync.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The middleware of the relay's per-author rate limiting (ASP.NET Core rate limiting).</summary>
public static class LedgerRelayApplicationBuilderExtensions
{
    /// <summary>Adds, after routing, the step that checks each relay call's version, body and RFC 9421 signature, then
    /// ASP.NET Core's rate limiter (<c>UseRateLimiter</c>), whose policy <see cref="LedgerRelayServer.RateLimiterPolicy"/>
    /// (registered by <c>AddLedgerRelay</c>) partitions by the author whose signature verified — so one device cannot
    /// spend another's allowance by naming it. Needed when <see cref="LedgerRelayOptions.RequestsPerSecondPerAuthor"/> is
    /// set; harmless otherwise.</summary>
    public static IApplicationBuilder UseLedgerRelayRateLimiter(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var server = app.ApplicationServices.GetRequiredService<LedgerRelayServer>();
        app.Use(server.PrepareMiddlewareAsync);
        return app.UseRateLimiter();
    }
}
