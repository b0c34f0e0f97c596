namespace Ledger.Erasure;

/// <summary>Why a wrapped subject key cannot be unwrapped.</summary>
public enum KeyWrapProblem
{
    /// <summary>The bytes end early.</summary>
    Truncated = 1,

    /// <summary>Not a wrapped key, or another version of the format.</summary>
    UnknownVersion = 2,

    /// <summary>A header field breaks its rule, or bytes follow the tag.</summary>
    Malformed = 3,

    /// <summary>Wrapped for another replica (another id or another public key).</summary>
    NotForThisReplica = 4,

    /// <summary>Authentication failed: the bytes were changed.</summary>
    Tampered = 5,
}
