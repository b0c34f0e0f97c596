using Microsoft.Extensions.Logging;

namespace Ledger.Sync.Http;

/// <summary>The events an operator of a device needs in its logs (docs/observability.md, "Logs"): a finding that
/// appears or clears, ops the relay refused, a round that failed, a relay caught equivocating. Source-generated
/// <see cref="LoggerMessage"/>s; messages carry codes, counts and exception types — never op contents, personal
/// data or key material.</summary>
internal sealed partial class NodeEventLog(ILogger logger)
{
    private HashSet<string> _codes = new(StringComparer.Ordinal);
    private string? _frozen;

    public void AfterRound(DeviceNode node, SyncResult? result, Exception? error)
    {
        if (!logger.IsEnabled(LogLevel.Warning)) return;
        try
        {
            if (error is not null) RoundFailed(logger, node.Author.Value, error.GetType().Name, error.Message);
            if (result is { Refused: > 0 } r) OpsRefused(logger, node.Author.Value, r.Refused);
            if (node.FrozenBecause is { } why && why != _frozen)
            {
                _frozen = why;
                Equivocation(logger, node.Author.Value, why);
            }

            var health = node.Health();
            var now = new HashSet<string>(StringComparer.Ordinal);
            foreach (var finding in health.Findings)
            {
                now.Add(finding.Code);
                if (_codes.Contains(finding.Code)) continue;
                if (finding.Severity == HealthSeverity.Critical) CriticalFinding(logger, node.Author.Value, finding.Code);
                else FindingRaised(logger, node.Author.Value, finding.Code, finding.Severity.ToString());
            }

            foreach (var code in _codes.Where(c => !now.Contains(c)).Order(StringComparer.Ordinal)) FindingCleared(logger, node.Author.Value, code);
            _codes = now;
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // The node closed under the loop: nothing left to report.
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "ledger node {Author}: sync round failed ({ExceptionType}: {Detail})")]
    private static partial void RoundFailed(ILogger logger, string author, string exceptionType, string detail);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "ledger node {Author}: the relay refused {Count} own op(s) for good")]
    private static partial void OpsRefused(ILogger logger, string author, int count);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Critical, Message = "ledger node {Author}: relay caught equivocating, node frozen ({Reason}); keep the evidence and move to another relay")]
    private static partial void Equivocation(ILogger logger, string author, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "ledger node {Author}: critical finding {Code} (DeviceNode.Health() says what to do)")]
    private static partial void CriticalFinding(ILogger logger, string author, string code);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "ledger node {Author}: finding {Code} ({Severity})")]
    private static partial void FindingRaised(ILogger logger, string author, string code, string severity);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "ledger node {Author}: finding {Code} cleared")]
    private static partial void FindingCleared(ILogger logger, string author, string code);
}
