namespace Ledger.Erasure;

/// <summary>Why a sealed field cannot be opened (other than erasure, which is not an error).</summary>
public enum SealedFieldProblem
{
    /// <summary>The envelope ends before its header or its tag.</summary>
    Truncated = 1,

    /// <summary>The bytes do not start with the <c>ledger/sealed/</c> label.</summary>
    NotSealed = 2,

    /// <summary>Another version of the sealed-field format (<c>ledger/sealed/v2</c> …).</summary>
    UnknownVersion = 3,

    /// <summary>A header field breaks its rule (a subject that is not a pseudonym, a zero seq, a bad field name …).</summary>
    Malformed = 4,

    /// <summary>The envelope is larger than a sealed field may be.</summary>
    Oversized = 5,

    /// <summary>The envelope was sealed for another op than the one it is read from (associated data mismatch).</summary>
    WrongOp = 6,

    /// <summary>The envelope was sealed for another field than the one it is read as (associated data mismatch).</summary>
    WrongField = 7,

    /// <summary>Authentication failed: the ciphertext, the tag or the header was changed, or the key is not the subject's.</summary>
    Tampered = 8,

    /// <summary>The plaintext authenticated but does not decode as the field's type.</summary>
    WrongType = 9,
}
