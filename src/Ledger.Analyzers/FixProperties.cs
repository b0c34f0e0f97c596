namespace Ledger.Analyzers;

/// <summary>Keys of the diagnostic properties that tell the code fixes which rewrite applies; the
/// analyzer has the semantic facts, the fixes only rewrite syntax.</summary>
public static class FixProperties
{
    /// <summary>Which rewrite applies; one of the <c>Fix…</c> values below.</summary>
    public const string Fix = "Fix";

    /// <summary>Where an argument is inserted, as a zero-based argument index.</summary>
    public const string ArgumentIndex = "ArgumentIndex";

    /// <summary>The name of the parameter an inserted argument binds to, for calls with named arguments.</summary>
    public const string ParameterName = "ParameterName";

    /// <summary>What replaces a clock read, relative to the VerbContext: <c>AtTime</c>, <c>AtTime.UtcDateTime</c> …</summary>
    public const string ClockReplacement = "ClockReplacement";

    /// <summary>A member name that replaces the called one (<c>ToUpperInvariant</c>, <c>Ordinal</c> …).</summary>
    public const string ReplacementName = "ReplacementName";

    /// <summary>Replace a clock read with the op's time.</summary>
    public const string FixUseOpTime = "UseOpTime";

    /// <summary>Replace <c>Guid.NewGuid()</c> with an id derived from the op.</summary>
    public const string FixUseOpId = "UseOpId";

    /// <summary>Insert <c>CultureInfo.InvariantCulture</c> at <see cref="ArgumentIndex"/>.</summary>
    public const string FixAddInvariantCulture = "AddInvariantCulture";

    /// <summary>Insert <c>StringComparison.Ordinal</c> at <see cref="ArgumentIndex"/>.</summary>
    public const string FixAddOrdinalComparison = "AddOrdinalComparison";

    /// <summary>Insert <c>StringComparer.Ordinal</c> at <see cref="ArgumentIndex"/>.</summary>
    public const string FixAddOrdinalComparer = "AddOrdinalComparer";

    /// <summary>Call <see cref="ReplacementName"/> instead of the called method, same arguments.</summary>
    public const string FixRenameMethod = "RenameMethod";

    /// <summary>Replace the referenced member with <see cref="ReplacementName"/> of the same type.</summary>
    public const string FixRenameMember = "RenameMember";

    /// <summary>Rewrite <c>a.CompareTo(b)</c> as <c>string.CompareOrdinal(a, b)</c>.</summary>
    public const string FixCompareOrdinal = "CompareOrdinal";

    /// <summary>Wrap an interpolated string in <c>string.Create(CultureInfo.InvariantCulture, …)</c>.</summary>
    public const string FixInvariantInterpolation = "InvariantInterpolation";
}
