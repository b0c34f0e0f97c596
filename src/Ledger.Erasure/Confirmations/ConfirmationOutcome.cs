namespace Ledger.Erasure;

/// <summary>What a replica did when the erase op reached it.</summary>
public enum ConfirmationOutcome
{
    /// <summary>It held the subject's key and destroyed it.</summary>
    Shredded = 1,

    /// <summary>It held no key for the subject when the handler ran — it never received one, or had destroyed it
    /// already (the handler ran again for the same erase op, as when a node reopens and folds its log again); it
    /// now refuses one.</summary>
    Absent = 2,
}
