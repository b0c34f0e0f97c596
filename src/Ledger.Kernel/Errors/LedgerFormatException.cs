using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ledger.Kernel;

/// <summary>Untrusted bytes did not decode. Says what is wrong and where: which op of a log, which
/// field, at which byte offset.</summary>
public sealed class LedgerFormatException : LedgerException
{
    /// <summary>Runs a strict decoder the Try way: true and the value, or false and the typed error that says what
    /// and where. (Every codec's <c>TryDecode</c> is this, over its own <c>Decode</c>.)</summary>
    public static bool TryDecode<TInput, T>(Func<TInput, T> decode, TInput input, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out LedgerFormatException? error)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(decode);
        try
        {
            value = decode(input);
            error = null;
            return true;
        }
        catch (LedgerFormatException e)
        {
            value = null;
            error = e;
            return false;
        }
    }

    /// <summary>Creates the exception.</summary>
    public LedgerFormatException(string structure, string field, FormatProblem problem, long offset, string detail, long? opIndex = null, Exception? inner = null)
        : base(Describe(structure, field, problem, offset, detail, opIndex), inner)
    {
        Structure = structure;
        Field = field;
        Problem = problem;
        Offset = offset;
        Detail = detail;
        OpIndex = opIndex;
    }

    /// <summary>What was being decoded: <c>op</c>, <c>checkpoint</c>, <c>log</c> …</summary>
    public string Structure { get; }

    /// <summary>The field that failed, e.g. <c>seq</c> or <c>args</c>.</summary>
    public string Field { get; }

    /// <summary>The kind of problem.</summary>
    public FormatProblem Problem { get; }

    /// <summary>Byte offset of the failing field from the start of the structure.</summary>
    public long Offset { get; }

    /// <summary>A human explanation.</summary>
    public string Detail { get; }

    /// <summary>When the structure is one op of a sequence, its zero-based index.</summary>
    public long? OpIndex { get; }

    /// <summary>The same error, located at op <paramref name="index"/> of a sequence.</summary>
    public LedgerFormatException AtOp(long index) => new(Structure, Field, Problem, Offset, Detail, index, this);

    private static string Describe(string structure, string field, FormatProblem problem, long offset, string detail, long? opIndex)
    {
        var where = opIndex is { } i
            ? string.Create(CultureInfo.InvariantCulture, $"op {i}, ")
            : "";
        return string.Create(CultureInfo.InvariantCulture, $"{structure}: {where}field '{field}' at byte {offset}: {problem}: {detail}");
    }
}
