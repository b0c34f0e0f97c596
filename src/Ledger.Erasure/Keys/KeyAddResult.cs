namespace Ledger.Erasure;

/// <summary>The outcome of adding a subject key to a store.</summary>
public enum KeyAddResult
{
    /// <summary>The key is now held.</summary>
    Added = 1,

    /// <summary>The same key was already held; nothing changed.</summary>
    AlreadyHeld = 2,

    /// <summary>Another key is held for the subject; it is kept (a held key is never replaced).</summary>
    Conflict = 3,

    /// <summary>The subject was shredded here; the key was not stored.</summary>
    Shredded = 4,
}
