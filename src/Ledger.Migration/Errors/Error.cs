using Ledger.Kernel;

namespace Ledger.Migration;

/// <summary>The one factory for the exceptions Ledger.Migration throws: every exception the package constructs is made
/// here. Parameters come in the order of each exception's constructor.</summary>
internal static class Error
{
    public static InvalidOperationException InvalidOperation(string message) => new(message);

    public static LedgerFormatException Decode(string structure, string field, FormatProblem problem, long offset, string detail, long? opIndex = null, Exception? inner = null) =>
        new(structure, field, problem, offset, detail, opIndex, inner);

    /// <summary>A lock file that shipped verbs no longer match.</summary>
    public static LockFileViolationException LockFileViolation(IReadOnlyList<string> problems) => new(problems);

    /// <summary>A manifest history change that would reinterpret history.</summary>
    public static ManifestRejectedException ManifestRejected(string message) => new(message);
}
