namespace Ledger.Erasure;

/// <summary>What an erasure case did with a confirmation it was given.</summary>
public enum ConfirmationAcceptance
{
    /// <summary>Recorded: the replica is confirmed.</summary>
    Accepted = 1,

    /// <summary>The replica had confirmed already; the first confirmation stays.</summary>
    AlreadyConfirmed = 2,

    /// <summary>The signature does not verify.</summary>
    BadSignature = 3,

    /// <summary>It is for another ledger, subject or erase op (or the case has no erase op yet).</summary>
    Mismatch = 4,
}
