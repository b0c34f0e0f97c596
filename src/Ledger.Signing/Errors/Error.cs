using Ledger.Kernel;
using Ledger.Signing.Recovery;

namespace Ledger.Signing;

/// <summary>The one factory for the exceptions Ledger.Signing throws (as the kernel's and Ledger.Sync's <c>Error</c>):
/// every exception the package constructs is made here, so the types and the shape of their messages can be reviewed
/// in one place. Parameters come in the order of each exception's constructor.</summary>
internal static class Error
{
    public static ArgumentException Argument(string message, string? param = null) => new(message, param);

    public static ArgumentNullException ArgumentNull(string param) => new(param);

    public static ArgumentOutOfRangeException OutOfRange(string param, string message) => new(param, message);

    public static InvalidOperationException InvalidOperation(string message) => new(message);

    public static LedgerFormatException Decode(string structure, string field, FormatProblem problem, long offset, string detail, long? opIndex = null, Exception? inner = null) =>
        new(structure, field, problem, offset, detail, opIndex, inner);

    /// <summary>A passphrase-wrapped backup that cannot be opened: what is wrong and at which byte.</summary>
    public static BackupException Backup(BackupProblem problem, int offset, string detail) => new(problem, offset, detail);

    /// <summary>A recovery that cannot go on (nothing fetched, a chain that does not verify, a key it does not derive).</summary>
    public static RecoveryException Recovery(string message) => new(message);

    /// <summary>SLIP-0039 shares that cannot be combined: what is wrong and, where known, with which share.</summary>
    public static ShareException Share(ShareProblem problem, string detail, int? shareIndex = null, string? sharePrefix = null) =>
        new(problem, detail, shareIndex, sharePrefix);
}
