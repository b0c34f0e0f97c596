namespace Ledger.Signing;

/// <summary>The verdict on one op of a chain.</summary>
/// <param name="Break">Null when the op is valid.</param>
/// <param name="Detail">What exactly is wrong, for people.</param>
public readonly record struct ChainCheck(ChainBreak? Break, string Detail)
{
    /// <summary>A valid op.</summary>
    public static ChainCheck Ok => new(null, "ok");

    /// <summary>True when the op is valid.</summary>
    public bool IsOk => Break is null;

    /// <summary>A failed check.</summary>
    public static ChainCheck Fail(ChainBreak reason, string detail) => new(reason, detail);
}
