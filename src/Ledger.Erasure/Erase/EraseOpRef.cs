using Ledger.Kernel;

namespace Ledger.Erasure;

/// <summary>Names an erase op in confirmations and certificates: its (author, seq) and its chain hash, so whoever
/// holds the log can check that exactly this op is in it.</summary>
/// <param name="Op">(author, seq).</param>
/// <param name="ChainHash">The op's chain hash (for a signed op, the hash of its signed bytes).</param>
public readonly record struct EraseOpRef(OpRef Op, Hash32 ChainHash)
{
    /// <summary>The reference of <paramref name="op"/>.</summary>
    public static EraseOpRef Of(Op op)
    {
        ArgumentNullException.ThrowIfNull(op);
        return new EraseOpRef(op.Ref, op.ChainHash);
    }

    /// <summary><c>author#seq@hash-prefix</c>.</summary>
    public override string ToString() => $"{Op}@{ChainHash.ToShortString()}";
}
