using System.Text;

namespace Ledger.Kernel;

/// <summary>The one factory for the exceptions the kernel throws, so messages stay uniform.</summary>
internal static class Error
{
    public static ArgumentException Argument(string param, string message) => new(message, param);

    public static ArgumentOutOfRangeException OutOfRange(string param, string message) => new(param, message);

    public static FormatException Format(string param, string message) => new($"{param}: {message}");

    public static InvalidOperationException InvalidOperation(string message) => new(message);

    public static LedgerException Ledger(string message, Exception? inner = null) => new(message, inner);

    public static SegmentDamagedException SegmentDamaged(SegmentId segment, string detail, Exception? inner = null) => new(segment, detail, inner);

    public static NondeterministicVerbException Nondeterministic(VerbKey verb, OpRef op, string first, string second) => new(verb, op, first, second);

    public static VerbRefusedException VerbRefused(string code) => new(code);

    public static ArgsDecodeException ArgsDecode(Exception? inner) => new(inner);

    public static LedgerFormatException Decode(string structure, string field, FormatProblem problem, long offset, string detail, long? opIndex, Exception? inner) =>
        new(structure, field, problem, offset, detail, opIndex, inner);

    public static LedgerFormatException Decode(string structure, string field, FormatProblem problem, long offset, string detail) =>
        new(structure, field, problem, offset, detail);

    public static LedgerOrderException Order(OpRef op, OrderViolation violation, string message) => new(op, violation, message);

    public static ScopeViolationException Scope(string message) => new(RefusalCodes.Scope, message);

    public static ScopeViolationException Merge(string message) => new(RefusalCodes.Merge, message);

    public static CheckpointException Checkpoint(CheckpointProblem problem, string message) => new(problem, message);

    /// <summary>Text safe to put in a message: control characters escaped, at most 80 characters.</summary>
    public static string Printable(string? text)
    {
        if (text is null)
        {
            return "(null)";
        }

        var sb = new StringBuilder(Math.Min(text.Length, 80));
        foreach (var c in text)
        {
            if (sb.Length >= 80)
            {
                sb.Append('…');
                break;
            }

            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
