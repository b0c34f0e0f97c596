using System.Text.Json;
using Ledger.Sync;
using Microsoft.AspNetCore.Http;

namespace Ledger.Sync.AspNetCore;

/// <summary>The package's one error factory: every refusal is an RFC 9457 problem (<c>application/problem+json</c>)
/// with a stable <c>code</c> (<see cref="RelayHttp"/>), never cacheable.</summary>
internal static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        var response = context.Response;
        if (response.HasStarted) return Task.CompletedTask; // a long answer failed midway: the connection says so
        // Not Clear(): headers set for the problem (WWW-Authenticate, Retry-After) stay.
        response.StatusCode = status;
        response.ContentType = RelayHttp.ProblemMediaType;
        response.Headers.CacheControl = "no-store";
        response.Headers[RelayHttp.ProtocolHeader] = RelayHttp.ProtocolVersion;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", RelayHttp.ProblemTypePrefix + code);
            json.WriteString("title", Title(code));
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            json.WriteString("instance", context.Request.Path.Value ?? "");
            json.WriteString("code", code);
            json.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        return response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).AsTask();
    }

    private static string Title(string code) => code switch
    {
        RelayHttp.BadRequest => "The request is not a request of this protocol.",
        RelayHttp.OutOfRange => "The request asks for something outside the relay's log.",
        RelayHttp.UnsupportedVersion => "The protocol version is not spoken here.",
        RelayHttp.Unauthorized => "The request is not signed by a key the relay can verify.",
        RelayHttp.Forbidden => "The signer may not do this on this ledger.",
        RelayHttp.UnknownLedger => "The relay serves no such ledger.",
        RelayHttp.NotFound => "No such resource.",
        RelayHttp.EntryTooLarge => "A signed op is larger than an entry may be.",
        RelayHttp.RequestTooLarge => "The request body is too large.",
        RelayHttp.UnsupportedMediaType => "The body is not of the media type this call takes.",
        RelayHttp.RateLimited => "Too many requests.",
        RelayHttp.Unavailable => "The relay cannot answer this just now (its store is unreachable, or it holds as many waiting requests as it may); retry after Retry-After.",
        _ => "The relay failed while answering.",
    };

    public static Task BadRequest(HttpContext c, string detail) => WriteAsync(c, StatusCodes.Status400BadRequest, RelayHttp.BadRequest, detail);

    public static Task OutOfRange(HttpContext c, string detail) => WriteAsync(c, StatusCodes.Status400BadRequest, RelayHttp.OutOfRange, detail);

    public static Task NotFound(HttpContext c, string detail) => WriteAsync(c, StatusCodes.Status404NotFound, RelayHttp.NotFound, detail);

    public static Task Unavailable(HttpContext c, string detail) => WriteAsync(c, StatusCodes.Status503ServiceUnavailable, RelayHttp.Unavailable, detail);

    public static Task Failed(HttpContext c, string detail) => WriteAsync(c, StatusCodes.Status503ServiceUnavailable, RelayHttp.Failed, detail);
}
