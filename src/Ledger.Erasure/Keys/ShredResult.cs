namespace Ledger.Erasure;

/// <summary>The outcome of shredding a subject's key.</summary>
public enum ShredResult
{
    /// <summary>The store held the key and has destroyed it.</summary>
    Shredded = 1,

    /// <summary>The store held no key (never, or not yet); it now refuses one for the subject.</summary>
    NotHeld = 2,

    /// <summary>The key had been shredded before.</summary>
    AlreadyShredded = 3,
}
