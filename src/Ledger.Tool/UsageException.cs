namespace Ledger.Tool;

/// <summary>The command line is wrong; the dispatcher prints the message and the command's usage and
/// exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
