using System.Globalization;
using Ledger.Kernel;

namespace Ledger.Erasure;

/// <summary>A sealed field could not be opened: names the op and the field it was read from, and why. The
/// message never holds plaintext — only the op, the field, the subject pseudonym and the problem.</summary>
public sealed class SealedFieldException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public SealedFieldException(OpRef? op, string field, SealedFieldProblem problem, string detail)
        : base(Describe(op, field, problem, detail))
    {
        Op = op;
        Field = field;
        Problem = problem;
        Detail = detail;
    }

    /// <summary>The op the field was read from (the expected one when the caller named it, else the one the envelope names), or null when unknown.</summary>
    public OpRef? Op { get; }

    /// <summary>The field name (expected, or as the envelope names it; <c>?</c> when neither is known).</summary>
    public string Field { get; }

    /// <summary>What is wrong.</summary>
    public SealedFieldProblem Problem { get; }

    /// <summary>A human explanation without plaintext.</summary>
    public string Detail { get; }

    private static string Describe(OpRef? op, string field, SealedFieldProblem problem, string detail) =>
        string.Create(CultureInfo.InvariantCulture, $"sealed field '{field}' of op {(op is { } o ? o.ToString() : "?")}: {problem}: {detail}");
}
