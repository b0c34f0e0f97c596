namespace Ledger.Erasure;

/// <summary>What a key store knows about a subject.</summary>
public enum SubjectKeyStatus
{
    /// <summary>The store has never held a key for the subject (or the key has not reached this replica yet).</summary>
    Unknown = 1,

    /// <summary>The store holds the subject's key.</summary>
    Held = 2,

    /// <summary>The subject's key was destroyed here; the store keeps only the pseudonym, so a late copy of the key is refused.</summary>
    Shredded = 3,
}
