using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>What a new device requires of a relay-served checkpoint before it starts from it instead of genesis
/// (docs/sync.md, "Bootstrap of a new device", the trust rule and what it does not protect against).</summary>
public sealed class BootstrapPolicy
{
    /// <summary>Distinct members that must vouch for the same state (same digest) at the same prefix. Default 1: one
    /// member's fold is believed (a malicious or broken member can hand a new device a wrong state). 2 or more: a wrong
    /// state needs that many members to agree on it.</summary>
    public int RequiredSigners { get; set; } = 1;

    /// <summary>When set, only these authors' checkpoints count (an operator's own devices, say). Null: any member.</summary>
    public IReadOnlySet<AuthorId>? TrustedSigners { get; set; }

    /// <summary>The witnesses whose cosignatures count (cosignature keys, <see cref="NoteKey.Cosignature"/>).</summary>
    public IReadOnlyList<NoteKey> Witnesses { get; set; } = [];

    /// <summary>Distinct witnesses of <see cref="Witnesses"/> that must have cosigned a relay checkpoint covering the
    /// prefix (at its size, or a larger one proven consistent with it). Default 0.</summary>
    public int RequiredCosignatures { get; set; }
}
