namespace Ledger.Kernel;

/// <summary>The ops given to a kernel are not in a legal order (a gap, a broken chain, a fork, a claim
/// out of relay order). Nothing was applied.</summary>
public sealed class LedgerOrderException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public LedgerOrderException(OpRef op, OrderViolation violation, string message) : base($"{op}: {violation}: {message}")
    {
        Op = op;
        Violation = violation;
    }

    /// <summary>The op that could not be taken.</summary>
    public OpRef Op { get; }

    /// <summary>What is wrong with the order.</summary>
    public OrderViolation Violation { get; }
}
