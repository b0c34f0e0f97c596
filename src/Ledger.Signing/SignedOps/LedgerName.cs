namespace Ledger.Signing;

/// <summary>The name of a ledger, carried in every signed message so a signature for one ledger is never
/// valid in another: 1-128 characters of [A-Za-z0-9._:/-].</summary>
public static class LedgerName
{
    /// <summary>The longest ledger name.</summary>
    public const int MaxLength = 128;

    /// <summary>True when <paramref name="name"/> may name a ledger.</summary>
    public static bool IsValid(string? name) => Kernel.Op.IsValidClaimKey(name);
}
