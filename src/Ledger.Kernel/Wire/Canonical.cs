namespace Ledger.Kernel.Wire;

/// <summary>Helpers for the rule that every structure has exactly one encoding.</summary>
public static class Canonical
{
    /// <summary>Compares decoded-then-re-encoded bytes with the input; on the first difference throws a
    /// <see cref="LedgerFormatException"/> naming the field that holds that byte.</summary>
    /// <param name="structure">The structure name, for the error.</param>
    /// <param name="input">The bytes as received.</param>
    /// <param name="reencoded">The canonical encoding of what was decoded.</param>
    /// <param name="fieldStarts">The start offset of each field in <paramref name="input"/>, in order.</param>
    public static void RequireEqual(string structure, ReadOnlySpan<byte> input, ReadOnlySpan<byte> reencoded, ReadOnlySpan<(string Field, long Start)> fieldStarts)
    {
        var diff = input.CommonPrefixLength(reencoded);
        if (diff == input.Length && diff == reencoded.Length)
        {
            return;
        }

        var field = "(structure)";
        foreach (var (name, start) in fieldStarts)
        {
            if (start <= diff)
            {
                field = name;
            }
        }

        throw Error.Decode(structure, field, FormatProblem.NonCanonical, diff,
            "the value decodes but is not in its one canonical encoding (shortest integer and length forms).");
    }
}
