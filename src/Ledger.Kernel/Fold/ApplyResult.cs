namespace Ledger.Kernel;

/// <summary>What happened to an op given to the kernel.</summary>
public enum ApplyStatus
{
    /// <summary>The verb ran and its effects were applied.</summary>
    Folded = 1,

    /// <summary>The op was refused: it has no effect but its <c>$refused</c> row.</summary>
    Refused = 2,

    /// <summary>This replica cannot fold the op yet (unknown manifest, or behind a parked op). Outside the state.</summary>
    Parked = 3,

    /// <summary>A Claim op waiting for the relay's order up to its position.</summary>
    Pending = 4,

    /// <summary>The op was applied before; nothing changed.</summary>
    Duplicate = 5,
}

/// <summary>The outcome of one op.</summary>
/// <param name="Op">The op.</param>
/// <param name="Status">What happened.</param>
/// <param name="RefusalCode">For <see cref="ApplyStatus.Refused"/>: the stable code in <c>$refused</c>.</param>
/// <param name="Detail">A human explanation (not part of the state; may change between versions).</param>
/// <param name="Corrections">For a folded Claim op: how many correction rows it wrote (more than zero: it lost the claim).</param>
public readonly record struct ApplyResult(OpRef Op, ApplyStatus Status, string? RefusalCode = null, string? Detail = null, int Corrections = 0)
{
    /// <summary>A folded Claim op that wrote a correction: it lost the claim.</summary>
    public bool LostClaim => Status == ApplyStatus.Folded && Corrections > 0;

    /// <inheritdoc />
    public override string ToString() => Status switch
    {
        ApplyStatus.Refused => $"{Op} refused ({RefusalCode})",
        ApplyStatus.Folded when Corrections > 0 => $"{Op} folded with {Corrections} correction(s)",
        _ => $"{Op} {Status.ToString().ToLowerInvariant()}",
    };
}
