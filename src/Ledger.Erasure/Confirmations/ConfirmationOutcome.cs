namespace Ledger.Erasure;

/// <summary>What a replica did when the erase op reached it.</summary>
public enum ConfirmationOutcome
{
    /// <summary>It held the subject's key and destroyed it.</summary>
    Shredded = 1,

    /// <summary>It held no key for the subject (never received one); it now refuses one.</summary>
    Absent = 2,
}
