namespace Ledger.Kernel;

/// <summary>Why a checkpoint was rejected on import.</summary>
public enum CheckpointProblem
{
    /// <summary>The rows do not hash to the state hash the checkpoint claims.</summary>
    StateHashMismatch,

    /// <summary>The cut is not closed under the legal-order constraints.</summary>
    CutNotClosed,

    /// <summary>The checkpoint's content contradicts itself or the kernel's manifests.</summary>
    Inconsistent,

    /// <summary>A section differs from what the checkpoint's digest covers, or the digest is not the trusted one.</summary>
    DigestMismatch,
}
