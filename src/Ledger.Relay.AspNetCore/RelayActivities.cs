using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ledger.Sync.AspNetCore;

/// <summary>The <see cref="ActivitySource"/> of the HTTP relay (docs/observability.md, "Traces"): one server span
/// per relay request, a child of the device's span. The W3C trace context (<c>traceparent</c>, <c>tracestate</c>)
/// a device's <see cref="HttpClient"/> sends is honoured even when ASP.NET Core's own request activity is off, so
/// one sync shows as one trace across the device and the relay.</summary>
public static class RelayActivities
{
    /// <summary>The source's name, <c>Ledger.Relay.AspNetCore</c>.</summary>
    public const string SourceName = "Ledger.Relay.AspNetCore";

    internal static readonly ActivitySource Source = new(SourceName, "1.0");

    /// <summary>Starts the span of one relay request: named <c>{method} {route}</c> (OpenTelemetry's HTTP server span
    /// name), a child of ASP.NET Core's request activity when there is one, else of the caller's trace context.</summary>
    internal static Activity? StartRequest(HttpContext context, string ledger)
    {
        if (!Source.HasListeners()) return null;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        Activity? activity;
        if (Activity.Current is { } current)
        {
            activity = Source.StartActivity(method + " " + route, ActivityKind.Internal, current.Context);
        }
        else
        {
            DistributedContextPropagator.Current.ExtractTraceIdAndState(context.Request.Headers, static (carrier, name, out value, out values) =>
            {
                values = null;
                value = carrier is IHeaderDictionary headers && headers.TryGetValue(name, out var v) && v.Count == 1 ? v[0] : null;
            }, out var traceParent, out var traceState);
            ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent);
            activity = Source.StartActivity(method + " " + route, ActivityKind.Server, parent);
        }

        if (activity is null) return null;
        activity.SetTag("http.request.method", method);
        activity.SetTag("http.route", route);
        activity.SetTag("ledger.name", ledger);
        return activity;
    }

    /// <summary>Ends a request's span with the response status (OpenTelemetry: 5xx is an error on a server span).</summary>
    internal static void EndRequest(Activity? activity, HttpContext context)
    {
        if (activity is null) return;
        var status = context.Response.StatusCode;
        activity.SetTag("http.response.status_code", status);
        if (status >= 500) activity.SetStatus(ActivityStatusCode.Error);
    }
}
