namespace Ledger.Kernel;

/// <summary>What a verb version may read and write; declared once, enforced by the kernel at run time.</summary>
public enum Scope
{
    /// <summary>Reads and writes its own branch's rows (the op's author must own the branch), plus
    /// write-only Shared merges. Ordered by the owner's chain.</summary>
    Branch = 1,

    /// <summary>Reads nothing; writes only Shared merges, which commute.</summary>
    Shared = 2,

    /// <summary>Reads and compare-and-sets the claim row named by the op's claim key, writes correction
    /// rows and Shared merges. Ordered by the relay's total order per claim key.</summary>
    Claim = 3,
}
