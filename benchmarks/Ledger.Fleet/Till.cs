using Ledger.Kernel;

namespace Ledger.Fleet;

/// <summary>A light till: its pre-signed chain, how far the arrivals have made it due, and the position the relay
/// told it for each op it acknowledged.</summary>
internal sealed class Till(AuthorId author, byte[][] ops, bool faulty)
{
    public AuthorId Author { get; } = author;

    public byte[][] Ops { get; } = ops;

    public bool Faulty { get; } = faulty;

    /// <summary>Ops made due by arrivals (the inception is due from the start).</summary>
    public int Due = 1;

    /// <summary>The leading ops the relay acknowledged.</summary>
    public int Acked;

    /// <summary>The position the relay told for each op (-1: not told yet).</summary>
    public long[] Positions { get; } = Enumerable.Repeat(-1L, ops.Length).ToArray();

    /// <summary>Ops the relay told two different positions (must stay 0).</summary>
    public int Moved;

    /// <summary>1 while a push of this till is in flight.</summary>
    public int Busy;
}
