using System.CommandLine;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;
using Ledger.Tool.Files;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger export inspect</c>: verifies a node export and says what it holds.</summary>
internal static class ExportInspectCommand
{
    public static Command Create(ToolContext context)
    {
        var file = new Argument<string>("export-file") { Description = "a node export (docs/wire-format.md, \"Node export v1\")" };
        var json = new Option<bool>("--json") { Description = "print what the export holds as JSON" };
        var command = new Command("inspect", """
            Verify a node export (every chain, the exporting device's signature) and print its exporter, ops,
            unacknowledged own ops, relay cursor and exported state hash. Exports are written by the app
            (DeviceNode.Export, or NodeOptions.AtRiskExport when unacknowledged work is at risk): only the app knows the
            verbs that decide the state hash an export vouches for. Exit 0 when it verifies.
            """ + "\n" + ExitCodes.Text)
        {
            file, json,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(file)!, parsed.GetValue(json)));
        return command;
    }

    /// <summary>Reads and decodes an export, with errors located in the file.</summary>
    internal static NodeExport Decode(string path)
    {
        var bytes = InputFiles.ReadAll(path, "node export");
        try
        {
            return NodeExport.Decode(bytes);
        }
        catch (LedgerFormatException e)
        {
            throw FileOffsets.InNodeExport(bytes, e);
        }
    }

    private static int Run(ToolContext context, string path, bool json)
    {
        var export = Decode(path);
        var verdict = export.Verify();
        var own = export.Records.Where(r => r.Own).ToArray();
        var unacknowledged = own.Count(r => r.Position is null && r.RefusedBy is null);
        if (json)
        {
            Json.Write(context.Output, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("ok", verdict.Ok);
                w.WriteString("finding", verdict.Finding);
                w.WriteString("ledger", export.Ledger);
                w.WriteString("exporter", export.Exporter.Value);
                w.WriteNumber("ops", export.Records.Count);
                w.WriteNumber("own", own.Length);
                w.WriteNumber("unacknowledged", unacknowledged);
                w.WriteNumber("cursor", export.Cursor);
                w.WriteString("stateHash", export.StateHash.ToString());
                Json.Strings(w, "witnessed", export.Witnesses.Keys.Order(StringComparer.Ordinal));
                w.WriteEndObject();
            });
        }
        else
        {
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ledger {export.Ledger}, exporter {export.Exporter}, {export.Records.Count} ops ({own.Length} own, {unacknowledged} unacknowledged), cursor {export.Cursor}, state {export.StateHash}, witnessed {export.Witnesses.Count}"));
            context.Output.WriteLine((verdict.Ok ? "verifies: " : "DOES NOT VERIFY: ") + verdict.Finding);
        }

        return verdict.Ok ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }
}
