namespace Ledger.Erasure;

/// <summary>Why a certificate of erasure does not verify.</summary>
public enum CertificateProblem
{
    /// <summary>The bytes do not decode (truncated, mistyped, non-canonical, unknown version).</summary>
    Malformed = 1,

    /// <summary>The issuer's signature does not verify.</summary>
    BadIssuerSignature = 2,

    /// <summary>An embedded confirmation's signature does not verify.</summary>
    BadConfirmationSignature = 3,

    /// <summary>An embedded confirmation is for another ledger, subject or erase op.</summary>
    ConfirmationMismatch = 4,

    /// <summary>A list is out of canonical order or repeats an entry (a replica confirming twice included).</summary>
    NotCanonical = 5,

    /// <summary>A replica is listed both as confirmed and as pending.</summary>
    ConfirmedAndPending = 6,

    /// <summary>The issuer's key is not the one the caller trusts for the issuer.</summary>
    UntrustedIssuer = 7,

    /// <summary>A confirmation is signed by a key the caller does not trust for that replica.</summary>
    UntrustedReplica = 8,
}
