namespace Ledger.Kernel;

/// <summary>The stamp that decides a last-writer-wins row: the greatest (At, Author, Seq) wins. Unique
/// per op, so the winner never depends on the order writes arrive in.</summary>
public readonly record struct LwwStamp(long At, AuthorId Author, ulong Seq) : IComparable<LwwStamp>
{
    /// <inheritdoc />
    public int CompareTo(LwwStamp other)
    {
        var c = At.CompareTo(other.At);
        if (c != 0) return c;
        c = Utf8Order.Instance.Compare(Author.Value, other.Author.Value);
        return c != 0 ? c : Seq.CompareTo(other.Seq);
    }
}
