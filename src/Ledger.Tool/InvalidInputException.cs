namespace Ledger.Tool;

/// <summary>The command line is right but what came on standard input is not; the dispatcher prints
/// the message and exits with <see cref="ExitCodes.InvalidInput"/>.</summary>
internal sealed class InvalidInputException(string message) : Exception(message);
