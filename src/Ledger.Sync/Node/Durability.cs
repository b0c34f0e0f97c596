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

/// <summary>One own op's rung.</summary>
/// <param name="Op">The op.</param>
/// <param name="Rung">Its rung.</param>
/// <param name="Position">Its relay position, once durable.</param>
/// <param name="Detail">For a refusal: why.</param>
/// <param name="Origin">The relay log <paramref name="Position"/> belongs to: the position is (origin, index).</param>
public readonly record struct OpDurability(OpRef Op, DurabilityRung Rung, long? Position, string? Detail = null, string? Origin = null)
{
    /// <summary>True when a replica other than this device holds it.</summary>
    public bool IsSafe => Rung is DurabilityRung.Durable or DurabilityRung.Won or DurabilityRung.Lost;
}

/// <summary>The durability ladder of a node: counts per rung, the age of the oldest unacknowledged op, and
/// the store's size against its cap. Carries no personal data.</summary>
public sealed record DurabilityReport(int Local, int Syncing, int Durable, int Won, int Lost, int Refused, TimeSpan? OldestUnacknowledged, long StoreBytes, long? StoreCapBytes)
{
    /// <summary>Ops a second location holds.</summary>
    public int Safe => Durable + Won + Lost;

    /// <summary>Store size as a percentage of its cap, when capped.</summary>
    public double? StorePercent => StoreCapBytes is { } cap && cap > 0 ? 100.0 * StoreBytes / cap : null;

    /// <summary>The witness line: <c>MON-DUR local=… syncing=… durable=… oldestUnackedSec=… storePct=…</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"MON-DUR local={Local} syncing={Syncing} durable={Safe} oldestUnackedSec={(OldestUnacknowledged is { } age ? age.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture) : "-")} storePct={(StorePercent is { } p ? p.ToString("F1", CultureInfo.InvariantCulture) : "-")}");
}

/// <summary>What <c>DeviceNode.AppendAsync</c> returns once the op is signed, persisted and folded.</summary>
/// <param name="Signed">The signed op.</param>
/// <param name="Fold">The local fold outcome (Claim ops: pending until the relay order is known).</param>
/// <param name="Done">For a critical op: completes when the relay acknowledged it at position p and this node folded the relay prefix up to p. Otherwise already complete.</param>
public sealed record AppendReceipt(SignedOp Signed, ApplyResult Fold, Task Done)
{
    /// <summary>The op.</summary>
    public OpRef Op => Signed.Ref;
}

/// <summary>What one sync round did.</summary>
/// <param name="Pushed">Own ops sent.</param>
/// <param name="Acknowledged">Own ops the relay now holds.</param>
/// <param name="Refused">Own ops the relay refused.</param>
/// <param name="Pulled">Ops read from the relay and folded.</param>
/// <param name="Offline">True when the relay could not be reached (nothing lost; retry later).</param>
/// <param name="RelaySize">The relay's size at the end, when reached.</param>
public sealed record SyncResult(int Pushed, int Acknowledged, int Refused, int Pulled, bool Offline, long? RelaySize);
