using System.CommandLine;
using System.Globalization;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Tool.Files;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger rebuild</c>: the runbook for a destroyed relay — rebuild its store from the devices'
/// SQLite stores and print what was recovered, verified and lost.</summary>
internal static class RebuildCommand
{
    public static Command Create(ToolContext context)
    {
        var from = new Option<string[]>("--from") { Description = "a device's node store (repeat for each device)", Arity = ArgumentArity.OneOrMore, Required = true };
        var output = new Option<string>("--out") { Description = "the new relay store (must not exist)", Required = true };
        var oldRelay = new Option<string>("--old-relay") { Description = "the old relay's checkpoint verifier key 'name+hash+base64', to verify the checkpoints the devices witnessed (without it they are read unverified)" };
        var json = new Option<bool>("--json") { Description = "print the report as JSON" };
        var command = new Command("rebuild", """
            Rebuild a lost relay's store from the devices' SQLite node stores. Reads each store read-only (nothing in
            them is changed), verifies every author chain (signatures, links, key events), puts every op back at the
            position the old relay gave it and writes a new relay store. Prints what was recovered and verified, the
            positions no store held (lost), ops that moved up because of them, and the claim keys whose outcome a
            lost op may have changed. A store that does not verify is left out and named; stores that disagree about
            a position stop the rebuild. The new relay should sign under the printed successor origin, so devices see
            a successor of the log they witnessed, not a rollback (docs/sync.md, "Rebuilding a relay").
            Exit 0 when every position was recovered (and a witnessed checkpoint's root reproduced), 1 when positions
            are lost or an input is bad.
            """ + "\n" + ExitCodes.Text)
        {
            from, output, oldRelay, json,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(from) ?? [], parsed.GetValue(output)!, parsed.GetValue(oldRelay), parsed.GetValue(json)));
        return command;
    }

    private static int Run(ToolContext context, IReadOnlyList<string> from, string output, string? oldRelayKey, bool json)
    {
        NoteKey? oldRelay = null;
        if (oldRelayKey is not null && (!NoteKey.TryParseVkey(oldRelayKey, out oldRelay) || oldRelay is null))
        {
            throw new UsageException("--old-relay takes a verifier key 'name+hash+base64'.");
        }

        InputFiles.MustBeNew(output, "new relay store");
        var stores = new List<INodeStore>();
        using (var progress = context.Progress("reading node stores"))
        {
            foreach (var path in from)
            {
                stores.Add(StoreFiles.ReadNodeStore(path));
                progress.Report(stores.Count, from.Count);
            }
        }

        var ledger = LedgerOf(stores) ?? throw new InvalidInputException("none of the stores holds an op: nothing to rebuild from.");
        RebuildReport report = null!;
        InputFiles.WriteNew(output, "new relay store", temporary =>
        {
            using var relayStore = new SqliteRelayStore(temporary);
            report = Completed.Of(RelayRebuild.RunAsync(stores, new Relay(new RelayOptions { Ledger = ledger }, relayStore), oldRelay));
        });

        var ok = report.Complete && (report.LastCheckpoint is null || report.RootReproduced);
        if (json)
        {
            Json.Write(context.Output, w =>
            {
                w.WriteStartObject();
                w.WriteString("ledger", ledger);
                w.WriteBoolean("ok", ok);
                w.WriteNumber("stores", report.Stores);
                Json.Strings(w, "leftOut", report.RejectedStores);
                w.WriteNumber("authors", report.Authors);
                w.WriteNumber("oldSize", report.OldSize);
                w.WriteNumber("recovered", report.Recovered);
                w.WriteStartArray("lostPositions");
                foreach (var p in report.LostPositions) w.WriteNumberValue(p);
                w.WriteEndArray();
                w.WriteNumber("resequenced", report.Resequenced);
                Json.Strings(w, "claimsAfterLoss", report.ClaimsAfterLoss);
                w.WriteNumber("unsequenced", report.Unsequenced);
                Json.Strings(w, "stranded", report.Stranded);
                if (report.LastCheckpoint is { } cp)
                {
                    w.WriteStartObject("lastCheckpoint");
                    w.WriteString("origin", cp.Origin);
                    w.WriteNumber("size", cp.Size);
                    w.WriteString("root", cp.Root.ToString());
                    w.WriteBoolean("rootReproduced", report.RootReproduced);
                    w.WriteString("successorOrigin", RelayRebuild.SuccessorOrigin(cp));
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNull("lastCheckpoint");
                }

                w.WriteString("out", output);
                w.WriteNumber("newSize", report.NewSize);
                w.WriteEndObject();
            });
            return ok ? ExitCodes.Ok : ExitCodes.InvalidInput;
        }

        var o = context.Output;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ledger {ledger}: {report.Stores} stores, {report.RejectedStores.Count} left out, {report.Authors} authors verified"));
        foreach (var rejected in report.RejectedStores) o.WriteLine("left out: " + rejected);
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"old order: {report.OldSize} positions; recovered {report.Recovered}; lost {report.LostPositions.Count}"));
        if (report.LostPositions.Count > 0) o.WriteLine("lost positions: " + string.Join(", ", report.LostPositions.Select(p => p.ToString(CultureInfo.InvariantCulture))));
        if (report.Resequenced > 0) o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"moved up past lost positions: {report.Resequenced} ops"));
        if (report.ClaimsAfterLoss.Count > 0) o.WriteLine("claims decided after a loss (outcome may differ): " + string.Join(", ", report.ClaimsAfterLoss));
        if (report.Unsequenced > 0) o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"never acknowledged, appended after the recovered order: {report.Unsequenced} ops"));
        foreach (var stranded in report.Stranded) o.WriteLine("stranded: " + stranded);
        if (report.LastCheckpoint is { } last)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"last witnessed checkpoint: {last.Origin} size {last.Size}; rebuilt root {(report.RootReproduced ? "reproduces it" : report.RebuiltRoot is null ? "cannot be compared (positions below it are lost)" : "DIFFERS")}"));
            o.WriteLine("successor origin: " + RelayRebuild.SuccessorOrigin(last));
        }
        else
        {
            o.WriteLine("last witnessed checkpoint: none kept by these stores");
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"new relay store: {output} ({report.NewSize} ops)"));
        return ok ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }

    private static string? LedgerOf(IEnumerable<INodeStore> stores)
    {
        foreach (var store in stores)
        {
            var records = store.ReadAllAsync().GetAsyncEnumerator();
            try
            {
                while (records.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    if (SignedOpCodec.TryDecode(records.Current.Bytes, out var op, out _)) return op!.Ledger;
                }
            }
            finally
            {
                records.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        return null;
    }
}
