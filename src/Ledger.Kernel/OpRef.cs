using System.Globalization;

namespace Ledger.Kernel;

/// <summary>Names one op by its author and sequence number: the identity every rule relies on.</summary>
/// <param name="Author">The author whose chain holds the op.</param>
/// <param name="Seq">The op's position in that chain, from 1.</param>
public readonly record struct OpRef(AuthorId Author, ulong Seq) : IComparable<OpRef>
{
    /// <summary>The row key used for rows keyed by op (refusals, corrections): <c>author/seq</c> with the
    /// sequence number zero-padded to 20 digits, so that the ordinal order of keys is (author, seq).</summary>
    public string ToRowKey() => string.Create(CultureInfo.InvariantCulture, $"{Author.Value}/{Seq:D20}");

    /// <inheritdoc />
    public int CompareTo(OpRef other)
    {
        var c = Author.CompareTo(other.Author);
        return c != 0 ? c : Seq.CompareTo(other.Seq);
    }

    /// <summary><c>author#seq</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Author}#{Seq}");
}
