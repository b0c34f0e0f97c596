namespace Ledger.Sync;

/// <summary>The calls of the relay protocol (<see cref="IRelayProtocol"/>), by their number on the wire
/// (docs/wire-format.md, "Relay protocol v1").</summary>
public enum RelayCall
{
    /// <summary><see cref="IRelayProtocol.PushAsync"/>.</summary>
    Push = 1,

    /// <summary><see cref="IRelayProtocol.PullAsync"/>.</summary>
    Pull = 2,

    /// <summary><see cref="IRelayProtocol.FetchAuthorAsync"/>.</summary>
    FetchAuthor = 3,

    /// <summary><see cref="IRelayProtocol.GetCheckpointAsync"/>.</summary>
    GetCheckpoint = 4,

    /// <summary><see cref="IRelayProtocol.GetConsistencyProofAsync"/>.</summary>
    GetConsistencyProof = 5,

    /// <summary><see cref="IRelayProtocol.GetInclusionProofAsync"/>.</summary>
    GetInclusionProof = 6,

    /// <summary><see cref="IRelayProtocol.PostCosignatureAsync"/>.</summary>
    PostCosignature = 7,

    /// <summary><see cref="IRelayProtocol.GetCosignaturesAsync"/>.</summary>
    GetCosignatures = 8,
}
