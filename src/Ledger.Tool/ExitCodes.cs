namespace Ledger.Tool;

/// <summary>The exit codes of every <c>ledger</c> command, so scripts can tell a bad input from a
/// mistyped command line.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command line was fine but the input was not (bad hex, an invalid set of shares …).</summary>
    public const int InvalidInput = 1;

    /// <summary>The command line itself was wrong: unknown command or option, missing or malformed value.</summary>
    public const int Usage = 2;
}
