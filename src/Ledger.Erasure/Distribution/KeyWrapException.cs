using Ledger.Kernel;

namespace Ledger.Erasure;

/// <summary>A wrapped subject key could not be unwrapped: says why and, when the header got that far, for which
/// subject. Never holds key bytes.</summary>
public sealed class KeyWrapException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public KeyWrapException(KeyWrapProblem problem, string detail, SubjectId subject = default)
        : base($"wrapped key{(subject.IsDefault ? "" : " of " + subject.Value)}: {problem}: {detail}")
    {
        Problem = problem;
        Subject = subject;
    }

    /// <summary>What is wrong.</summary>
    public KeyWrapProblem Problem { get; }

    /// <summary>The subject the header names, or default.</summary>
    public SubjectId Subject { get; }
}
