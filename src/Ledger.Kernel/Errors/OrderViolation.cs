namespace Ledger.Kernel;

/// <summary>Why an op cannot be taken at this point of a fold.</summary>
public enum OrderViolation
{
    /// <summary>The author's previous op has not been applied: a gap in the chain.</summary>
    Gap,

    /// <summary><c>Prev</c> does not name the hash of the author's previous op.</summary>
    PrevMismatch,

    /// <summary>Another op with the same author and sequence number was already applied.</summary>
    Fork,

    /// <summary>A claim op was ordered after a later claim on the same claim key.</summary>
    ClaimOrder,

    /// <summary>A relay position was given twice, or contradicts one given before.</summary>
    Position,
}
