using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The relay refused one of this node's ops for good (a fork, a broken chain, malformed or for another
/// ledger): a critical op's <see cref="AppendReceipt.Done"/> faults with it, naming the op and the reason.</summary>
public sealed class OpRefusedException(OpRef op, string reason)
    : LedgerException($"the relay refused {op}: {reason}")
{
    /// <summary>The refused op.</summary>
    public OpRef Op { get; } = op;

    /// <summary>Why, as the relay said it.</summary>
    public string Reason { get; } = reason;
}
