using Ledger.Signing;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger verify &lt;file&gt;</c>: verifies every author chain in a chain file and prints one
/// report line per author.</summary>
internal sealed class VerifyCommand : ICommand
{
    public IReadOnlyList<string> Name { get; } = ["verify"];

    public string Summary => "verify the signed chains in a chain file";

    public string Usage => """
        usage: ledger verify <chain-file> [--threads N]

        Verifies every author's chain in a chain file (docs/wire-format.md, "Chain file v1"): signatures,
        seq and prev links, and the key event log (rotations by the pre-committed key, stale keys).
        Prints "<author>: chain OK · len N · tip …" or "<author>: breaks at op N: <reason> — <detail>".
        Exit code 0 when every chain verifies, 1 otherwise.

        """;

    public int Run(CommandContext context)
    {
        var positional = new List<string>();
        var optionArgs = new List<string>();
        for (var i = 0; i < context.Arguments.Count; i++)
        {
            var argument = context.Arguments[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(argument);
                continue;
            }

            optionArgs.Add(argument);
            if (argument == "--threads" && i + 1 < context.Arguments.Count) optionArgs.Add(context.Arguments[++i]);
        }

        var options = new OptionReader(optionArgs, valued: ["threads"], flags: []);
        var threads = options.Integer("threads", 1, 256);
        if (positional.Count != 1) throw new UsageException("give exactly one chain file.");
        var path = positional[0];
        if (!File.Exists(path)) throw new InvalidInputException($"no file at '{path}'.");
        var (ledger, ops) = ChainFile.Decode(File.ReadAllBytes(path));
        if (ops.Count == 0)
        {
            context.Output.WriteLine($"{ledger}: no ops");
            return ExitCodes.Ok;
        }

        var reports = ChainFile.VerifyAll(ledger, ops, threads);
        foreach (var report in reports) context.Output.WriteLine(report.ToString());
        return reports.All(r => r.Ok) ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }
}
