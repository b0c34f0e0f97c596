namespace Ledger.Erasure;

/// <summary>What a read model gets when it opens a sealed field.</summary>
public enum UnsealStatus
{
    /// <summary>The value, authenticated.</summary>
    Open = 1,

    /// <summary>The subject is erased: its key is shredded here, or its erase op has folded. Show it as erased.</summary>
    Erased = 2,

    /// <summary>This replica has no key for the subject (yet): the wrapped key has not arrived. Not an erasure.</summary>
    KeyNotHeld = 3,

    /// <summary>The field is damaged or misplaced: <see cref="Unsealed{T}.Error"/> says which op, which field and why.</summary>
    Invalid = 4,
}
