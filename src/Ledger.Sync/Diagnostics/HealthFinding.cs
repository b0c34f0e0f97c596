using System.Globalization;

namespace Ledger.Sync;

/// <summary>One thing a node found wrong with itself: a stable <see cref="Code"/> (see <see cref="HealthCodes"/>)
/// for programs and a sentence for people that says what to do.</summary>
public sealed record HealthFinding(HealthSeverity Severity, string Code, string Message);
