namespace Ledger.Signing;

/// <summary>Why a chain breaks at an op.</summary>
public enum ChainBreak
{
    /// <summary>The bytes are not a well-formed signed op.</summary>
    Malformed = 1,

    /// <summary>The signed op names another ledger.</summary>
    WrongLedger,

    /// <summary>The op belongs to another author's chain.</summary>
    WrongAuthor,

    /// <summary>The op's seq does not follow the previous op's.</summary>
    Gap,

    /// <summary>Prev does not name the previous op's chain hash.</summary>
    WrongPrev,

    /// <summary>The signature does not verify under the key that must have signed.</summary>
    BadSignature,

    /// <summary>Signed by a key the author never had.</summary>
    WrongKey,

    /// <summary>Signed by a key the author had, but rotated or revoked before this position.</summary>
    StaleKey,

    /// <summary>The first op is not a valid inception binding the self-certifying author id.</summary>
    BadInception,

    /// <summary>A key event whose args do not decode or make no sense (a second inception …).</summary>
    BadKeyEvent,

    /// <summary>A rotation or revocation that does not reveal the pre-committed next key.</summary>
    NotPreCommitted,

    /// <summary>A rotation or revocation signed by the current key: only the pre-committed next key may rotate,
    /// so a thief holding the current key cannot lock the owner out.</summary>
    RotationByCurrentKey,

    /// <summary>An op after a revocation that closed the chain.</summary>
    ChainClosed,
}
