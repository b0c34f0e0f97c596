using System.Collections.Concurrent;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>What a node did with an offered checkpoint.</summary>
public enum CheckpointStatus
{
    /// <summary>Verified and now the witnessed checkpoint (or equal to it).</summary>
    Advanced = 1,

    /// <summary>Refused: not the relay's, older than the witnessed one, or unprovable.</summary>
    Refused = 2,

    /// <summary>It proves the relay equivocated; the relay is frozen.</summary>
    Evidence = 3,
}
