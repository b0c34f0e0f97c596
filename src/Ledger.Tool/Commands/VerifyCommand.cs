using System.CommandLine;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Tool.Files;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger verify &lt;file&gt;</c>: verifies every author chain in a chain file and prints one
/// report line per author.</summary>
internal static class VerifyCommand
{
    public static Command Create(ToolContext context)
    {
        var file = new Argument<string>("chain-file") { Description = "a chain file (docs/wire-format.md, \"Chain file v1\")" };
        var threads = new Option<int?>("--threads") { Description = "threads verifying signatures, 1-256 (default: one per core)" };
        var json = new Option<bool>("--json") { Description = "print the reports as JSON" };
        var command = new Command("verify", """
            Verify every author's chain in a chain file: signatures, seq and prev links, and the key event log
            (rotations by the pre-committed key, stale keys). Prints "<author>: chain OK · len N · tip …" or
            "<author>: breaks at op N: <reason> — <detail>"; a file that does not decode is named with the field and
            its byte offset in the file. Exit 0 when every chain verifies.
            """ + "\n" + ExitCodes.Text)
        {
            file, threads, json,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(file)!, parsed.GetValue(threads), parsed.GetValue(json)));
        return command;
    }

    private static int Run(ToolContext context, string path, int? threads, bool json)
    {
        if (threads is < 1 or > 256) throw new UsageException($"--threads takes a whole number from 1 to 256; got {threads}.");
        var bytes = InputFiles.ReadAll(path, "chain file");
        string ledger;
        IReadOnlyList<SignedOp> ops;
        try
        {
            (ledger, ops) = ChainFile.Decode(bytes);
        }
        catch (LedgerFormatException e)
        {
            throw FileOffsets.InChainFile(bytes, e);
        }

        var authors = ops.GroupBy(o => o.Op.Author).ToArray();
        var reports = new List<ChainReport>(authors.Length);
        using (var progress = context.Progress("verifying authors"))
        {
            foreach (var author in authors)
            {
                reports.Add(ChainFile.VerifyAll(ledger, author.ToArray(), threads)[0]);
                progress.Report(reports.Count, authors.Length);
            }
        }

        if (json)
        {
            Json.Write(context.Output, w =>
            {
                w.WriteStartObject();
                w.WriteString("ledger", ledger);
                w.WriteNumber("ops", ops.Count);
                w.WriteBoolean("ok", reports.All(r => r.Ok));
                w.WriteStartArray("authors");
                foreach (var r in reports)
                {
                    w.WriteStartObject();
                    w.WriteString("author", r.Author.Value);
                    w.WriteBoolean("ok", r.Ok);
                    w.WriteNumber("length", r.Length);
                    w.WriteString("tip", r.Tip.ToString());
                    if (!r.Ok)
                    {
                        w.WriteNumber("brokenAtSeq", r.BrokenAtSeq ?? 0);
                        w.WriteString("break", r.Break.ToString());
                        w.WriteString("detail", r.Detail);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
        else if (ops.Count == 0)
        {
            context.Output.WriteLine($"{ledger}: no ops");
        }
        else
        {
            foreach (var report in reports) context.Output.WriteLine(report.ToString());
        }

        return reports.All(r => r.Ok) ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }
}
