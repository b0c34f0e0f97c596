namespace Ledger.Tool;

/// <summary>One <c>ledger</c> command. Add a command by implementing this in <c>Commands/</c> and
/// listing it in <see cref="LedgerCli"/>.</summary>
internal interface ICommand
{
    /// <summary>The words that name the command, e.g. <c>["shares", "split"]</c>.</summary>
    IReadOnlyList<string> Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>The full usage text, shown by <c>--help</c> and after a usage error.</summary>
    string Usage { get; }

    /// <summary>Runs the command. Throws <see cref="UsageException"/> for a wrong command line and
    /// <see cref="InvalidInputException"/> or a <see cref="Ledger.Kernel.LedgerException"/> for bad
    /// input; returns the exit code otherwise.</summary>
    int Run(CommandContext context);
}
