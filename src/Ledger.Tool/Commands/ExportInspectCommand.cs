using System.Globalization;
using Ledger.Sync;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger export inspect</c>: verifies a node export and says what it holds.</summary>
internal sealed class ExportInspectCommand : ICommand
{
    public IReadOnlyList<string> Name { get; } = ["export", "inspect"];

    public string Summary => "verify a node export and print what it holds";

    public string Usage => """
        usage: ledger export inspect <export-file>

        Verifies a node export (every chain, the exporting device's signature) and prints its exporter,
        ops, unacknowledged own ops, relay cursor and exported state hash. Exports are written by the app
        (DeviceNode.Export, or NodeOptions.AutoExport when unacknowledged work is at risk): only the app
        knows the verbs that decide the state hash an export vouches for.

        exit codes: 0 verifies, 1 invalid input, 2 usage error

        """;

    public int Run(CommandContext context)
    {
        if (context.Arguments.Count != 1 || context.Arguments[0].StartsWith("--", StringComparison.Ordinal)) throw new UsageException("give exactly one export file.");
        var path = context.Arguments[0];
        if (!File.Exists(path)) throw new InvalidInputException($"no file at '{path}'.");
        var export = NodeExport.Decode(File.ReadAllBytes(path));
        var verdict = export.Verify();
        var own = export.Records.Where(r => r.Own).ToArray();
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ledger {export.Ledger}, exporter {export.Exporter}, {export.Records.Count} ops ({own.Length} own, {own.Count(r => r.Position is null && r.RefusedBy is null)} unacknowledged), cursor {export.Cursor}, state {export.StateHash}, witnessed {export.Witnesses.Count}"));
        context.Output.WriteLine((verdict.Ok ? "verifies: " : "DOES NOT VERIFY: ") + verdict.Finding);
        return verdict.Ok ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }
}
