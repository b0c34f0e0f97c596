using System.CommandLine;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;
using Ledger.Tool.Files;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger import</c>: checks a node export and writes it into a new SQLite node store.</summary>
internal static class ImportCommand
{
    public static Command Create(ToolContext context)
    {
        var file = new Argument<string>("export-file") { Description = "a node export (docs/wire-format.md, \"Node export v1\")" };
        var output = new Option<string>("--out") { Description = "the new node store (must not exist)", Required = true };
        var json = new Option<bool>("--json") { Description = "print what was imported as JSON" };
        var command = new Command("import", """
            Verify a node export and write it into a new SQLite node store. Decodes the export, verifies every chain in
            it and the exporting device's signature, and writes its ops, positions and witnessed checkpoints into a new
            node store in one transaction. Nothing is written when any check fails. The tool does not know the app's
            verbs, so it cannot check that the ops fold to the exported state hash: the app does, with
            DeviceNode.ImportAsync (which also does everything this command does).
            """ + "\n" + ExitCodes.Text)
        {
            file, output, json,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(file)!, parsed.GetValue(output)!, parsed.GetValue(json)));
        return command;
    }

    private static int Run(ToolContext context, string path, string output, bool json)
    {
        InputFiles.MustBeNew(output, "node store");
        var export = ExportInspectCommand.Decode(path);
        var verdict = export.Verify();
        if (!verdict.Ok) throw new InvalidInputException("the export does not verify: " + verdict.Finding);
        InputFiles.WriteNew(output, "node store", temporary =>
        {
            using var store = new SqliteNodeStore(temporary);
            // A console command on its own thread, no synchronization context: waiting here is safe.
            DeviceNode.WriteToAsync(store, export).GetAwaiter().GetResult();
        });

        var own = export.Records.Where(r => r.Own).ToArray();
        var unacknowledged = own.Count(r => r.Position is null && r.RefusedBy is null);
        if (json)
        {
            Json.Write(context.Output, w =>
            {
                w.WriteStartObject();
                w.WriteString("ledger", export.Ledger);
                w.WriteString("exporter", export.Exporter.Value);
                w.WriteNumber("ops", export.Records.Count);
                w.WriteNumber("own", own.Length);
                w.WriteNumber("unacknowledged", unacknowledged);
                w.WriteNumber("cursor", export.Cursor);
                w.WriteString("stateHash", export.StateHash.ToString());
                w.WriteString("finding", verdict.Finding);
                w.WriteString("out", output);
                w.WriteEndObject();
            });
            return ExitCodes.Ok;
        }

        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imported {export.Records.Count} ops of ledger {export.Ledger} exported by {export.Exporter}: {verdict.Finding}"));
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"own ops: {own.Length}, of them unacknowledged: {unacknowledged}; relay cursor {export.Cursor}; exported state {export.StateHash}"));
        context.Output.WriteLine($"node store: {output} (state hash unchecked here: open it with the app)");
        return ExitCodes.Ok;
    }
}
