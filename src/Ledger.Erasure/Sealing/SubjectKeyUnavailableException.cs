using Ledger.Kernel;

namespace Ledger.Erasure;

/// <summary>Something new was to be sealed for a subject whose key this replica does not hold (never had it,
/// or shredded it). Sealing for an erased subject is refused: its data must not come back.</summary>
public sealed class SubjectKeyUnavailableException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public SubjectKeyUnavailableException(SubjectId subject, SubjectKeyStatus status)
        : base(status == SubjectKeyStatus.Shredded
            ? $"subject {subject} is erased on this replica; nothing can be sealed for it any more."
            : $"this replica holds no key for subject {subject}; create the subject here or import its wrapped key first.")
    {
        Subject = subject;
        Status = status;
    }

    /// <summary>The subject.</summary>
    public SubjectId Subject { get; }

    /// <summary>What the key store said.</summary>
    public SubjectKeyStatus Status { get; }
}
