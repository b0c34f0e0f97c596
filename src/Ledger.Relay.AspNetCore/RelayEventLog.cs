using Microsoft.Extensions.Logging;

namespace Ledger.Sync.AspNetCore;

/// <summary>The events a relay operator needs in the logs (docs/observability.md, "Logs"), as source-generated
/// <see cref="LoggerMessage"/>s: requests refused for their signature or membership, ops refused, beacons refused,
/// fleet alerts raised, failures. Messages carry ledger names, author ids, codes and counts — never op contents, a
/// key or personal data.</summary>
internal static partial class RelayEventLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "ledger {Ledger}: request refused {Status} {Code}")]
    public static partial void RequestRefused(ILogger logger, string ledger, int status, string code);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "ledger {Ledger}: {Count} op(s) refused ({Reasons})")]
    public static partial void OpsRefused(ILogger logger, string ledger, int count, string reasons);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "ledger {Ledger}: the relay failed while answering ({ExceptionType})")]
    public static partial void Failed(ILogger logger, string ledger, string exceptionType, Exception exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "ledger {Ledger}: beacon refused {Status} ({Reason})")]
    public static partial void BeaconRefused(ILogger logger, string ledger, int status, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "ledger {Ledger}: fleet alert {Code} nodes={Nodes} prefix={Prefix}: {Advice}")]
    public static partial void Alert(ILogger logger, string ledger, string code, string nodes, long? prefix, string advice);
}
