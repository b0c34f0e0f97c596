namespace Ledger.Testing;

/// <summary>The one factory for the exceptions Ledger.Testing throws: every exception the package constructs is made
/// here. Parameters come in the order of each exception's constructor.</summary>
internal static class Error
{
    public static ArgumentException Argument(string message, string? param = null) => new(message, param);

    public static InvalidOperationException InvalidOperation(string message) => new(message);

    public static TimeoutException Timeout(string message) => new(message);

    /// <summary>Two folds that had to agree did not (or the sentinel saw a verb write different effects).</summary>
    public static ReplayMismatchException ReplayMismatch(string message, Exception? inner = null) => new(message, inner);
}
