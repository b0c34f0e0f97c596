using System.Globalization;
using Ledger.Sync;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger import</c>: checks a node export and writes it into a new SQLite node store.</summary>
internal sealed class ImportCommand : ICommand
{
    public IReadOnlyList<string> Name { get; } = ["import"];

    public string Summary => "verify a node export and write it into a new node store";

    public string Usage => """
        usage: ledger import <export-file> --out <node.db>

        Decodes a node export (docs/wire-format.md, "Node export v1"), verifies every chain in it and the
        exporting device's signature, and writes its ops, positions and witnessed checkpoints into a new
        SQLite node store in one transaction. Nothing is written when any check fails.
        The tool does not know the app's verbs, so it cannot check that the ops fold to the exported state
        hash: the app does, with DeviceNode.ImportAsync (which also does everything this command does).

        exit codes: 0 imported, 1 invalid input, 2 usage error

        """;

    public int Run(CommandContext context)
    {
        var positional = context.Arguments.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var options = new OptionReader(context.Arguments.Skip(positional.Length).ToArray(), ["out"], []);
        if (positional.Length != 1) throw new UsageException("give exactly one export file.");
        var output = options.Single("out") ?? throw new UsageException("give --out <node.db>.");
        if (!File.Exists(positional[0])) throw new InvalidInputException($"no file at '{positional[0]}'.");
        if (File.Exists(output)) throw new InvalidInputException($"'{output}' exists; import writes a new node store.");
        var export = NodeExport.Decode(File.ReadAllBytes(positional[0]));
        var verdict = export.Verify();
        if (!verdict.Ok) throw new InvalidInputException("the export does not verify: " + verdict.Finding);
        using (var store = new SqliteNodeStore(output))
        {
            // A console command on its own thread, no synchronization context: waiting here is safe.
            DeviceNode.WriteToAsync(store, export).GetAwaiter().GetResult();
        }

        var own = export.Records.Where(r => r.Own).ToArray();
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imported {export.Records.Count} ops of ledger {export.Ledger} exported by {export.Exporter}: {verdict.Finding}"));
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"own ops: {own.Length}, of them unacknowledged: {own.Count(r => r.Position is null && r.RefusedBy is null)}; relay cursor {export.Cursor}; exported state {export.StateHash}"));
        context.Output.WriteLine($"node store: {output} (state hash unchecked here: open it with the app)");
        return ExitCodes.Ok;
    }
}
