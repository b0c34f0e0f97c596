using System.Diagnostics;

namespace Ledger.Erasure;

/// <summary>The <see cref="ActivitySource"/> of Ledger.Erasure (docs/observability.md, "Traces"): a span when an
/// erase op is signed. Spans never carry the subject, a key or a sealed field.</summary>
public static class ErasureActivities
{
    /// <summary>The source's name, <c>Ledger.Erasure</c>.</summary>
    public const string SourceName = "Ledger.Erasure";

    internal static readonly ActivitySource Source = new(SourceName, "1.0");
}
