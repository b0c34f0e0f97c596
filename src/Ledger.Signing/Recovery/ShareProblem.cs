namespace Ledger.Signing.Recovery;

/// <summary>What is wrong with a SLIP-0039 share, a set of shares or the parameters of a split.</summary>
public enum ShareProblem
{
    /// <summary>A word is not in the SLIP-0039 word list.</summary>
    UnknownWord,

    /// <summary>The RS1024 checksum of a share does not match its words (a word was mistyped or swapped).</summary>
    BadChecksum,

    /// <summary>The padding bits in front of a share value are not zero.</summary>
    BadPadding,

    /// <summary>A share has too few words, or a word count that encodes no whole master secret; or a
    /// master secret to split is not 16 to 32 bytes of even length.</summary>
    BadLength,

    /// <summary>A threshold or count is outside its range: a group threshold above the group count, a
    /// member threshold above its member count, more than 16 groups or members, or a member threshold
    /// of 1 with more than one member.</summary>
    BadThreshold,

    /// <summary>Fewer groups than the group threshold, or fewer shares in a group than its member
    /// threshold, or no shares at all.</summary>
    TooFewShares,

    /// <summary>More groups than the group threshold, or more distinct shares in a group than its member
    /// threshold. SLIP-0039 requires exactly the threshold so that every given share is checked.</summary>
    TooManyShares,

    /// <summary>The shares belong to different sets: their identifier, extendable flag, iteration
    /// exponent, group threshold, group count or length disagree, or shares of one group disagree on
    /// its member threshold.</summary>
    MixedSets,

    /// <summary>Two different shares of one group carry the same member index.</summary>
    DuplicateMemberIndex,

    /// <summary>The recovered secret does not match the digest the shares carry: at least one share
    /// was altered or fabricated.</summary>
    DigestMismatch,

    /// <summary>The passphrase has a character outside printable ASCII (32–126).</summary>
    InvalidPassphrase,

    /// <summary>The shares' iteration exponent asks for more key stretching than the caller accepts
    /// (<see cref="Slip39.DefaultMaxIterationExponent"/> unless raised): refused before any of it runs.</summary>
    CostTooHigh,
}
