namespace Ledger.Kernel;

/// <summary>Tables the kernel writes itself. Their names start with '$', which app tables cannot use.</summary>
public static class ReservedTables
{
    /// <summary><c>$refused</c>: one row per refused op, keyed by <see cref="OpRef.ToRowKey"/>, valued
    /// [code, verb, version].</summary>
    public static Table Refused { get; } = new ReservedTable("$refused");

    /// <summary><c>$erased</c>: one row per erased data subject (key: the subject's pseudonym, value: MessagePack
    /// <c>true</c>). Presence only, so erase ops commute. "The books" are every table but this one.</summary>
    public static Table Erased { get; } = new ReservedTable("$erased");

    /// <summary>True for the names of tables the kernel writes.</summary>
    public static bool IsReserved(string table) => table == Refused.Name || table == Erased.Name;
}
