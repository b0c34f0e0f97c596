using System.Globalization;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger rebuild</c>: the runbook for a destroyed relay — rebuild its store from the devices'
/// SQLite stores and print what was recovered, verified and lost.</summary>
internal sealed class RebuildCommand : ICommand
{
    public IReadOnlyList<string> Name { get; } = ["rebuild"];

    public string Summary => "rebuild a lost relay's store from the devices' node stores";

    public string Usage => """
        usage: ledger rebuild --from <node.db> [--from <node.db> ...] --out <relay.db> [--old-relay <vkey>]

        Reads each device's SQLite node store (read as found; nothing in them is changed), verifies every
        author chain (signatures, links, key events), puts every op back at the position the old relay gave
        it and writes a new relay store. Prints what was recovered and verified, the positions no store
        held (lost), ops that moved up because of them, and the claim keys whose outcome a lost op may have
        changed. A store that does not verify is left out and named; stores that disagree about a position
        stop the rebuild. The new relay should sign under the printed successor origin, so devices see a
        successor of the log they witnessed, not a rollback (docs/sync.md, "Rebuilding a relay").

        options:
          --from <file>       a device's node store (repeat for each device)
          --out <file>        the new relay store (must not exist)
          --old-relay <vkey>  the old relay's checkpoint verifier key, to verify the checkpoints the devices
                              witnessed (without it they are read unverified)

        exit codes: 0 every position recovered, 1 invalid input or positions lost, 2 usage error

        """;

    public int Run(CommandContext context)
    {
        var options = new OptionReader(context.Arguments, ["from", "out", "old-relay"], []);
        var from = options.All("from");
        var output = options.Single("out") ?? throw new UsageException("give --out <relay.db>.");
        if (from.Count == 0) throw new UsageException("give at least one --from <node.db>.");
        if (File.Exists(output)) throw new InvalidInputException($"'{output}' exists; the new relay store must be a new file.");
        NoteKey? oldRelay = null;
        if (options.Single("old-relay") is { } vkey && (!NoteKey.TryParseVkey(vkey, out oldRelay) || oldRelay is null))
        {
            throw new UsageException("--old-relay takes a verifier key 'name+hash+base64'.");
        }

        var stores = new List<INodeStore>();
        try
        {
            foreach (var path in from)
            {
                if (!File.Exists(path)) throw new InvalidInputException($"no node store at '{path}'.");
                stores.Add(new SqliteNodeStore(path));
            }

            var ledger = LedgerOf(stores) ?? throw new InvalidInputException("none of the stores holds an op: nothing to rebuild from.");
            RebuildReport report;
            using (var relayStore = new SqliteRelayStore(output))
            {
                // A console command on its own thread, no synchronization context: waiting here is safe.
                report = RelayRebuild.RunAsync(stores, new Relay(new RelayOptions { Ledger = ledger }, relayStore), oldRelay).GetAwaiter().GetResult();
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
            return report.Complete && (report.LastCheckpoint is null || report.RootReproduced) ? ExitCodes.Ok : ExitCodes.InvalidInput;
        }
        finally
        {
            foreach (var store in stores) store.Dispose();
        }
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
