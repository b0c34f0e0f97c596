using System.Globalization;
using Ledger.Signing;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>How safe an own op is. The ladder never calls an op durable that no replica holds, and never
/// counts a Local op as safe.</summary>
public enum DurabilityRung
{
    /// <summary>Persisted on this device only.</summary>
    Local = 1,

    /// <summary>Sent to the relay, not acknowledged yet.</summary>
    Syncing = 2,

    /// <summary>The relay persisted it at a position (a second location holds it).</summary>
    Durable = 3,

    /// <summary>A claim that won in the relay's order (durable, and its outcome known).</summary>
    Won = 4,

    /// <summary>A claim that lost in the relay's order and folded to its correction.</summary>
    Lost = 5,

    /// <summary>The relay refused it; it will never be durable.</summary>
    Refused = 6,
}
