namespace Ledger.Kernel;

/// <summary>Tables the kernel writes itself. Their names start with '$', which app tables cannot use.</summary>
public static class ReservedTables
{
    /// <summary><c>$refused</c>: one row per refused op, keyed by <see cref="OpRef.ToRowKey"/>, valued
    /// [code, verb, version].</summary>
    public static Table Refused { get; } = new ReservedTable("$refused");
}
