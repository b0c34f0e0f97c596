using System.Globalization;
using Ledger.Signing;
using Ledger.Kernel;

namespace Ledger.Sync;

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
