namespace Ledger.Kernel;

/// <summary>A checkpoint decoded but cannot be trusted: tampered rows or a cut that is not closed.</summary>
public sealed class CheckpointException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(CheckpointProblem problem, string message) : base($"checkpoint rejected: {problem}: {message}")
    {
        Problem = problem;
    }

    /// <summary>The reason.</summary>
    public CheckpointProblem Problem { get; }
}
