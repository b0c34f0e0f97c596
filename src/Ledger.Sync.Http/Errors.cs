using System.Text.Json;
using Ledger.Kernel;

namespace Ledger.Sync.Http;

/// <summary>The package's one error factory: HTTP failures and problems become the relay protocol's typed errors.</summary>
internal static class Errors
{
    public static ArgumentException Argument(string message, string param) => new(message, param);

    public static ArgumentNullException ArgumentNull(string param) => new(param);

    /// <summary>The relay refused a call, or a call was malformed before it was sent: typed by the protocol's codes.</summary>
    public static RelayProtocolException Protocol(RelayCall call, RelayErrorCode code, string detail) => new(call, code, detail);

    public static BootstrapRefusedException BootstrapRefused(BootstrapRefusal refusal, string detail) => new(refusal, detail);

    public static RelayUnavailableException Unavailable(RelayCall call, string detail, Exception? inner = null) =>
        new($"the relay could not answer {call} over HTTP: {detail}", inner);

    public static RelayUnavailableException NotUnderstood(RelayCall call, LedgerFormatException e) =>
        new($"the relay's answer to {call} is not understood: {e.Message}", e);

    /// <summary>An answer that is not 2xx: a problem with a stable code (RFC 9457), or anything else.</summary>
    public static Exception FromProblem(RelayCall call, int status, string? body)
    {
        string? code = null;
        var detail = body ?? "";
        try
        {
            if (!string.IsNullOrEmpty(body))
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.ValueKind == JsonValueKind.Object)
                {
                    if (json.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String) code = c.GetString();
                    if (json.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String) detail = d.GetString() ?? "";
                }
            }
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's page, say): the status decides.
        }

        if (detail.Length > 1024) detail = detail[..1024] + "…";
        var where = $"HTTP {status}{(code is null ? "" : $" {code}")}: {detail}";
        return code switch
        {
            RelayHttp.OutOfRange or RelayHttp.NotFound => Errors.Protocol(call, RelayErrorCode.OutOfRange, where),
            RelayHttp.BadRequest or RelayHttp.UnsupportedVersion or RelayHttp.UnsupportedMediaType or RelayHttp.EntryTooLarge
                or RelayHttp.RequestTooLarge or RelayHttp.UnknownLedger or RelayHttp.Unauthorized or RelayHttp.Forbidden
                => Errors.Protocol(call, RelayErrorCode.BadRequest, where),
            _ when status is >= 400 and < 500 and not 408 and not 429 => Errors.Protocol(call, RelayErrorCode.BadRequest, where),
            _ => Unavailable(call, where),
        };
    }
}
