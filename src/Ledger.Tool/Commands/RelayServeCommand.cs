using System.CommandLine;
using Ledger.Signing;
using Ledger.Sync.AspNetCore;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger relay serve</c>: a relay over HTTP on the embedded default store (Kestrel over a SQLite relay
/// store), until the process is stopped.</summary>
internal static class RelayServeCommand
{
    public static Command Create(ToolContext context)
    {
        var store = new Option<string>("--store") { Description = "the relay's SQLite store (created if missing; its checkpoint key is kept beside it)", Required = true };
        var ledger = new Option<string>("--ledger") { Description = "the ledger the relay orders", Required = true };
        var urls = new Option<string[]>("--urls") { Description = "where to listen (default http://127.0.0.1:5080); port 0 picks a free port", AllowMultipleArgumentsPerToken = true };
        var origin = new Option<string>("--origin") { Description = "the relay's log identity for checkpoints (default ledger-relay/<ledger>)" };
        var publicLedger = new Option<bool>("--public") { Description = "serve reads (checkpoints, tiles) without a signed request" };
        var command = new Command("serve", """
            Runs a relay over HTTP (docs/http-protocol.md) on a SQLite relay store: devices push signed ops and pull the
            relay's order as C2SP tlog-tiles. Prints one line per address it listens on, with the checkpoint verifier
            key devices trust (NodeOptions.TrustedRelay), then serves until the process is stopped (Ctrl+C, SIGTERM).
            """ + "\n" + ExitCodes.Text)
        {
            store, ledger, urls, origin, publicLedger,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(store)!, parsed.GetValue(ledger)!, parsed.GetValue(urls), parsed.GetValue(origin), parsed.GetValue(publicLedger)));
        return command;
    }

    private static int Run(ToolContext context, string store, string ledger, string[]? urls, string? origin, bool isPublic)
    {
        if (!LedgerName.IsValid(ledger)) throw new UsageException($"'{ledger}' is not a ledger name.");
        var options = new LedgerRelayHostOptions { StorePath = store, Ledger = ledger, Origin = origin, IsPublic = isPublic };
        if (urls is { Length: > 0 })
        {
            options.Urls.Clear();
            foreach (var url in urls) options.Urls.Add(url);
        }

        // The command owns this thread and the process; the host stops on Ctrl+C or SIGTERM (its console lifetime).
        LedgerRelayHost.RunAsync(options, context.Output).GetAwaiter().GetResult();
        return ExitCodes.Ok;
    }
}
