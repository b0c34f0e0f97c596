using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Ledger.Kernel;
using Ledger.Tool.Commands;

namespace Ledger.Tool;

/// <summary>The <c>ledger</c> command line (System.CommandLine): parses, runs the command, and turns every error
/// into one line on standard error and an exit code (<see cref="ExitCodes"/>). No exception leaves it.</summary>
public static class LedgerCli
{
    /// <summary>Runs <c>ledger</c> with <paramref name="arguments"/> on the given streams.</summary>
    /// <param name="arguments">The command line after the program name.</param>
    /// <param name="input">Standard input.</param>
    /// <param name="output">Standard output: results only.</param>
    /// <param name="error">Standard error: messages, usage and (when <paramref name="showProgress"/>) progress.</param>
    /// <param name="showProgress">Draw progress of long work on <paramref name="error"/>; the program passes true only
    /// when standard error is a terminal.</param>
    /// <returns>The exit code: 0 ok, 1 the input is bad or a check failed, 2 usage error, 3 a server it needs is unreachable.</returns>
    public static int Run(IReadOnlyList<string> arguments, TextReader input, TextWriter output, TextWriter error, bool showProgress = false)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        // "ledger help [command …]" is "ledger [command …] --help".
        if (arguments.Count > 0 && arguments[0] == "help") arguments = [.. arguments.Skip(1), "--help"];
        var context = new ToolContext(input, output, error, showProgress);
        var root = Root(context);
        var parsed = root.Parse(arguments);
        if (arguments.Count == 0) parsed = root.Parse(["--help"]);
        if (parsed.Action is ParseErrorAction)
        {
            var command = parsed.CommandResult.Command;
            // One line, the first problem: the help below shows what the command takes.
            var more = parsed.Errors.Count > 1 ? $" (and {parsed.Errors.Count - 1} more)" : "";
            error.WriteLine($"{NameOf(command)}: {OneLine(parsed.Errors[0].Message)}{more}");
            return UsageHelp(root, command, error);
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            var command = parsed.CommandResult.Command;
            error.WriteLine($"{NameOf(command)}: {e.Message}");
            return UsageHelp(root, command, error);
        }
        catch (Ledger.Sync.StoreUnavailableException e)
        {
            // PostgreSQL down or unreachable (ledger relay serve --store postgres): a supervisor retries on this code.
            error.WriteLine($"{NameOf(parsed.CommandResult.Command)}: {OneLine(e.Message)}");
            return ExitCodes.Unavailable;
        }
        catch (Exception e) when (e is InvalidInputException or LedgerException)
        {
            error.WriteLine($"{NameOf(parsed.CommandResult.Command)}: {OneLine(e.Message)}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (root.Directives.OfType<SuggestDirective>().Any(d => parsed.GetResult(d) is not null))
        {
            // The [suggest] directive fails inside System.CommandLine on some lines (given twice, say): a usage error.
            error.WriteLine($"ledger: cannot complete this command line: {OneLine(e.Message)}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{NameOf(parsed.CommandResult.Command)}: {OneLine(e.Message)}");
            return ExitCodes.InvalidInput;
        }
#pragma warning disable CA1031 // The tool's promise: one line and an exit code, never a stack trace, whatever went wrong.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error.WriteLine($"{NameOf(parsed.CommandResult.Command)}: internal error ({e.GetType().Name}): {OneLine(e.Message)}");
            return ExitCodes.InvalidInput;
        }
    }

    /// <summary>The command tree. Every command's description ends with the exit-code convention.</summary>
    internal static RootCommand Root(ToolContext context)
    {
        var root = new RootCommand("""
            ledger: check, recover and take apart the files of a Ledger system (chain files, node exports, node and
            relay stores) and split or combine SLIP-0039 recovery shares. Every file it reads is opened read-only and
            left byte-for-byte as it was; files it writes are new files, written whole or not at all.
            Tab completion: 'ledger completions bash' (or zsh, pwsh) prints a script to source.
            """ + "\n" + ExitCodes.Text);
        root.HelpName = "ledger";

        // Help is as wide as the text it shows, wherever it goes (a terminal, a pipe, a test's writer).
        root.Options.OfType<HelpOption>().Single().Action = new HelpAction { MaxWidth = 140 };
        var shares = new Command("shares", "SLIP-0039 recovery shares of a master secret.");
        shares.Subcommands.Add(SharesSplitCommand.Create(context));
        shares.Subcommands.Add(SharesCombineCommand.Create(context));
        root.Subcommands.Add(shares);
        root.Subcommands.Add(VerifyCommand.Create(context));
        root.Subcommands.Add(RebuildCommand.Create(context));
        root.Subcommands.Add(ImportCommand.Create(context));
        var export = new Command("export", "Node exports (written by the app: DeviceNode.Export).");
        export.Subcommands.Add(ExportInspectCommand.Create(context));
        root.Subcommands.Add(export);
        var chain = new Command("chain", "Chain files (docs/wire-format.md, \"Chain file v1\").");
        chain.Subcommands.Add(ChainExportCommand.Create(context));
        root.Subcommands.Add(chain);
        var checkpoint = new Command("checkpoint", "Checkpoints out of a running system's files, as bytes another language can check.");
        checkpoint.Subcommands.Add(CheckpointRelayCommand.Create(context));
        checkpoint.Subcommands.Add(CheckpointWitnessedCommand.Create(context));
        checkpoint.Subcommands.Add(CheckpointKernelCommand.Create(context));
        root.Subcommands.Add(checkpoint);
        var relay = new Command("relay", "A relay over HTTP.");
        relay.Subcommands.Add(RelayServeCommand.Create(context));
        root.Subcommands.Add(relay);
        root.Subcommands.Add(MonitorCommand.Create(context));
        root.Subcommands.Add(CompletionsCommand.Create(context));
        return root;
    }

    /// <summary>"ledger shares split" for a command.</summary>
    internal static string NameOf(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c; s = c.Parents.FirstOrDefault()) names.Insert(0, c is RootCommand ? "ledger" : c.Name);
        return string.Join(' ', names);
    }

    private static int UsageHelp(RootCommand root, Command command, TextWriter error)
    {
        error.WriteLine();
        var path = NameOf(command).Split(' ').Skip(1).ToList();
        path.Add("--help");
        root.Parse(path).Invoke(new InvocationConfiguration { Output = error, Error = error });
        return ExitCodes.Usage;
    }

    private static string OneLine(string message) => string.Join(' ', message.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
