using System.Text;
using Ledger.Kernel;
using Ledger.Tool.Commands;

namespace Ledger.Tool;

/// <summary>The <c>ledger</c> command line: finds the command named by the first arguments, runs it,
/// and turns its errors into messages and exit codes (<see cref="ExitCodes"/>).</summary>
public static class LedgerCli
{
    private static readonly ICommand[] Commands =
    [
        new SharesSplitCommand(),
        new SharesCombineCommand(),
        new VerifyCommand(),
        new RebuildCommand(),
        new ImportCommand(),
        new ExportInspectCommand(),
    ];

    /// <summary>Runs <c>ledger</c> with <paramref name="arguments"/> on the given streams.</summary>
    /// <param name="arguments">The command line after the program name.</param>
    /// <param name="input">Standard input.</param>
    /// <param name="output">Standard output: results only.</param>
    /// <param name="error">Standard error: messages and usage.</param>
    /// <returns>The exit code: 0 ok, 1 invalid input, 2 usage error.</returns>
    public static int Run(IReadOnlyList<string> arguments, TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var command = Commands
            .Where(c => c.Name.Count <= arguments.Count && c.Name.SequenceEqual(arguments.Take(c.Name.Count), StringComparer.Ordinal))
            .MaxBy(c => c.Name.Count);
        if (command is null)
        {
            return NoCommand(arguments, output, error);
        }

        var rest = arguments.Skip(command.Name.Count).ToArray();
        if (rest.Any(a => a is "--help" or "-h"))
        {
            output.Write(command.Usage);
            return ExitCodes.Ok;
        }

        var name = "ledger " + string.Join(' ', command.Name);
        try
        {
            return command.Run(new CommandContext(rest, input, output, error));
        }
        catch (UsageException e)
        {
            error.WriteLine($"{name}: {e.Message}");
            error.WriteLine();
            error.Write(command.Usage);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is InvalidInputException or LedgerException)
        {
            error.WriteLine($"{name}: {e.Message}");
            return ExitCodes.InvalidInput;
        }
    }

    private static int NoCommand(IReadOnlyList<string> arguments, TextWriter output, TextWriter error)
    {
        var asked = arguments.Count == 0 || arguments[0] is "help" or "--help" or "-h";
        var prefix = arguments.TakeWhile(a => !a.StartsWith('-')).ToArray();
        var under = Commands.Where(c => prefix.Length > 0 && c.Name.Take(prefix.Length).SequenceEqual(prefix, StringComparer.Ordinal)).ToArray();
        var helpForGroup = under.Length > 0 && arguments.Skip(prefix.Length).Any(a => a is "--help" or "-h");
        var listing = Listing(under.Length > 0 ? under : Commands);
        if (asked || helpForGroup)
        {
            output.Write(listing);
            return ExitCodes.Ok;
        }

        error.WriteLine(under.Length > 0
            ? $"ledger: '{string.Join(' ', prefix)}' needs a command."
            : $"ledger: unknown command '{string.Join(' ', prefix.Length > 0 ? prefix : arguments)}'.");
        error.WriteLine();
        error.Write(listing);
        return ExitCodes.Usage;
    }

    private static string Listing(IEnumerable<ICommand> commands)
    {
        var text = new StringBuilder("usage: ledger <command> [options]   (ledger <command> --help for its options)\n\ncommands:\n");
        foreach (var command in commands)
        {
            text.Append("  ").Append(string.Join(' ', command.Name).PadRight(18)).Append(command.Summary).Append('\n');
        }

        return text.ToString();
    }
}
