namespace Ledger.Kernel;

/// <summary>A segment of state: the rows of one table in one branch. Shared, claim, correction and
/// reserved tables live in the global branch, written as the empty string.</summary>
/// <param name="Table">The table name.</param>
/// <param name="Branch">The branch (<c>owner/name</c>) or "" for global tables.</param>
public readonly record struct SegmentId(string Table, string Branch) : IComparable<SegmentId>
{
    /// <summary>The canonical order: table, then branch, each by UTF-8 bytes.</summary>
    public int CompareTo(SegmentId other)
    {
        var c = Utf8Order.Instance.Compare(Table, other.Table);
        return c != 0 ? c : Utf8Order.Instance.Compare(Branch, other.Branch);
    }

    /// <inheritdoc />
    public override string ToString() => Branch.Length == 0 ? Table : $"{Table}@{Branch}";
}
