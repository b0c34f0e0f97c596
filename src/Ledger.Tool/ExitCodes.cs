namespace Ledger.Tool;

/// <summary>The exit codes of every <c>ledger</c> command, so scripts can tell a bad input from a
/// mistyped command line.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked and every check passed.</summary>
    public const int Ok = 0;

    /// <summary>The command line was fine but the input was not (a file that is not what it should be, bad hex,
    /// an invalid set of shares …), or a check the command ran failed (a chain that breaks, lost positions …).</summary>
    public const int InvalidInput = 1;

    /// <summary>The command line itself was wrong: unknown command or option, missing or malformed value.</summary>
    public const int Usage = 2;

    /// <summary>A server the command needs (the relay's PostgreSQL database) could not be reached; running the command
    /// again once it is back is safe. A supervisor restarts on this code.</summary>
    public const int Unavailable = 3;

    /// <summary>The convention, as printed in every command's help.</summary>
    internal const string Text = "Exit codes: 0 ok; 1 the input is bad or a check failed; 2 usage error (the command line is wrong); 3 a server it needs is unreachable.";
}
