using System.Globalization;

namespace Ledger.Sync;

/// <summary>How bad a health finding is.</summary>
public enum HealthSeverity
{
    /// <summary>Worth showing; nothing is at risk yet.</summary>
    Warning = 1,

    /// <summary>Data or trust is at risk now: act.</summary>
    Critical = 2,
}
