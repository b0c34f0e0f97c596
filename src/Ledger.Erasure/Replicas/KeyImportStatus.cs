namespace Ledger.Erasure;

/// <summary>What a replica did with a wrapped subject key it received.</summary>
public enum KeyImportStatus
{
    /// <summary>Unwrapped and stored.</summary>
    Imported = 1,

    /// <summary>The same key was already held.</summary>
    AlreadyHeld = 2,

    /// <summary>Another key is held for the subject and was kept.</summary>
    Conflict = 3,

    /// <summary>The subject is erased here (shredded, or its erase op folded): the key was discarded.</summary>
    Erased = 4,

    /// <summary>The bytes could not be unwrapped (see the error).</summary>
    Invalid = 5,
}
