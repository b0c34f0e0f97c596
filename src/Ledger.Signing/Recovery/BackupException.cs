using System.Globalization;
using Ledger.Kernel;

namespace Ledger.Signing.Recovery;

/// <summary>A passphrase-wrapped master-secret backup did not open; says why and at which byte.</summary>
public sealed class BackupException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public BackupException(BackupProblem problem, int offset, string detail)
        : base(string.Create(CultureInfo.InvariantCulture, $"backup: {problem} at byte {offset}: {detail}"))
    {
        Problem = problem;
        Offset = offset;
        Detail = detail;
    }

    /// <summary>What is wrong.</summary>
    public BackupProblem Problem { get; }

    /// <summary>The byte offset of the failing field.</summary>
    public int Offset { get; }

    /// <summary>A human explanation.</summary>
    public string Detail { get; }
}
