namespace Ledger.Kernel;

/// <summary>Exempts a member or type from the determinism lint (the LDG rules of the Ledger analyzer
/// that ships in this package). Code under a waiver is not checked and the calls it makes are not
/// followed; on a static field, its uses are not reported.</summary>
/// <remarks>Use it only for code that cannot reach state: diagnostics, or a test that needs a broken
/// verb on purpose. Suppressing an LDG rule any other way (<c>#pragma</c>, <c>SuppressMessage</c>,
/// <c>NoWarn</c>) is itself an error, because only a waiver carries its reason for review.</remarks>
[AttributeUsage(
    AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method | AttributeTargets.Constructor |
    AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Event,
    AllowMultiple = false, Inherited = false)]
public sealed class DeterminismWaiverAttribute : Attribute
{
    /// <summary>Waives the determinism rules for the annotated member or type.</summary>
    /// <param name="reason">Why this code cannot split two replicas' books. Required: an empty or
    /// whitespace reason is reported (LDG0012).</param>
    public DeterminismWaiverAttribute(string reason)
    {
        Reason = reason;
    }

    /// <summary>Why the waived code cannot split books.</summary>
    public string Reason { get; }
}
