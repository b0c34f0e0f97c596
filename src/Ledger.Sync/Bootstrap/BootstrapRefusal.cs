namespace Ledger.Sync;

/// <summary>Why a checkpoint offered for bootstrapping a new device (or posted to a relay) was refused
/// (docs/sync.md, "Bootstrap of a new device"; the problem codes of docs/http-protocol.md).</summary>
public enum BootstrapRefusal
{
    /// <summary>The relay serves no bootstrap checkpoint.</summary>
    NoCheckpoint = 1,

    /// <summary>The bytes are not a bootstrap checkpoint v1 (or its kernel checkpoint is not a checkpoint v1).</summary>
    Malformed = 2,

    /// <summary>It is of another ledger, or names another relay log (origin).</summary>
    WrongLedger = 3,

    /// <summary>Its prefix is beyond the relay's log, or the relay-signed checkpoint of that prefix is missing, does not
    /// verify with the trusted relay key, or has another root than the one the checkpoint names.</summary>
    PrefixNotCovered = 4,

    /// <summary>The policy requires witnesses' cosignatures covering the prefix and too few verify.</summary>
    NotCosigned = 5,

    /// <summary>Its signer is no member: unknown to the relay, revoked, not among the policy's trusted signers, or not an
    /// author of the state it vouches for.</summary>
    SignerNotMember = 6,

    /// <summary>The signature does not verify with the signer's key.</summary>
    BadSignature = 7,

    /// <summary>The state does not verify: its sections do not hash to the signed digest, its rows do not hash to its
    /// state hash, its cut is not closed, or it is not the cut of exactly the prefix (frontier, relay cut, op count).</summary>
    StateMismatch = 8,

    /// <summary>Fewer distinct members vouch for the same state at the prefix than the policy requires.</summary>
    NotCorroborated = 9,

    /// <summary>The key events of an author of the state do not verify, or are missing.</summary>
    KeyEventsInvalid = 10,
}
