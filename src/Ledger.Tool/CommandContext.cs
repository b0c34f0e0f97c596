namespace Ledger.Tool;

/// <summary>What a command runs with: its own arguments (after its name) and the three streams, so
/// that tests run commands in-process.</summary>
internal sealed record CommandContext(IReadOnlyList<string> Arguments, TextReader Input, TextWriter Output, TextWriter Error);
