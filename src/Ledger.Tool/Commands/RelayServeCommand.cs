using System.CommandLine;
using Ledger.Signing;
using Ledger.Sync.AspNetCore;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger relay serve</c>: a relay over HTTP, on the embedded default store (Kestrel over a SQLite relay
/// store) or — <c>--store postgres</c> — as one of many instances over a PostgreSQL database
/// (<see cref="RelayServePostgreSql"/>), until the process is stopped.</summary>
internal static class RelayServeCommand
{
    /// <summary>The <c>--store</c> value that selects PostgreSQL.</summary>
    internal const string Postgres = "postgres";

    public static Command Create(ToolContext context)
    {
        var store = new Option<string>("--store") { Description = "the relay's SQLite store (created if missing; its checkpoint key is kept beside it), or 'postgres' with --pg or --pg-map", Required = true };
        var ledger = new Option<string[]>("--ledger") { Description = "the ledger the relay orders (with postgres: one or more)", Required = true, AllowMultipleArgumentsPerToken = true };
        var urls = new Option<string[]>("--urls") { Description = "where to listen (default http://127.0.0.1:5080); port 0 picks a free port", AllowMultipleArgumentsPerToken = true };
        var origin = new Option<string>("--origin") { Description = "the relay's log identity for checkpoints (default ledger-relay/<ledger>)" };
        var publicLedger = new Option<bool>("--public") { Description = "serve reads (checkpoints, tiles) without a signed request" };
        var pg = new Option<string>("--pg") { Description = "with --store postgres: the PostgreSQL connection string of the database every instance shares" };
        var pgMap = new Option<string>("--pg-map") { Description = "with --store postgres: a JSON file mapping ledgers to databases {\"default\": cs, \"ledgers\": {name: cs}, \"prefixes\": {prefix: cs}} (keeps passwords off the command line)" };
        var key = new Option<string>("--checkpoint-key") { Description = "the file holding the 32-byte seed of the checkpoint key (SQLite: default beside the store, created if missing; postgres: required, the same file for every instance)" };
        var command = new Command("serve", """
            Runs a relay over HTTP (docs/http-protocol.md): devices push signed ops and pull the relay's order as C2SP
            tlog-tiles. Prints one line per address (and ledger) it listens on, with the checkpoint verifier key devices
            trust (NodeOptions.TrustedRelay), then serves until the process is stopped (Ctrl+C, SIGTERM).
            On a SQLite store (the default) one process is the relay. With --store postgres --pg <connection string>
            (or --pg-map <file>) it is one of many instances over one database: start as many as needed, each with the
            same --checkpoint-key file and --origin; the database orders, every instance serves the same checkpoint,
            and a long poll on one instance wakes when another stores ops (docs/postgresql.md). While PostgreSQL is
            down requests are answered 503 problem "unavailable" and the relay keeps running; unreachable at start, it
            exits with code 3.
            """ + "\n" + ExitCodes.Text)
        {
            store, ledger, urls, origin, publicLedger, pg, pgMap, key,
        };
        command.SetAction(parsed => Run(context, new Settings(parsed.GetValue(store)!, parsed.GetValue(ledger)!, parsed.GetValue(urls), parsed.GetValue(origin),
            parsed.GetValue(publicLedger), parsed.GetValue(pg), parsed.GetValue(pgMap), parsed.GetValue(key))));
        return command;
    }

    private static int Run(ToolContext context, Settings settings)
    {
        foreach (var name in settings.Ledgers)
        {
            if (!LedgerName.IsValid(name)) throw new UsageException($"'{name}' is not a ledger name.");
        }

        if (settings.Ledgers.Distinct(StringComparer.Ordinal).Count() != settings.Ledgers.Length) throw new UsageException("a ledger is named twice.");
        if (settings.Store == Postgres) return RelayServePostgreSql.Run(context, settings);
        if (settings.Pg is not null || settings.PgMap is not null) throw new UsageException("--pg and --pg-map go with --store postgres.");
        if (settings.Ledgers.Length != 1) throw new UsageException("a SQLite store holds one ledger; serve more ledgers with --store postgres.");
        var options = new LedgerRelayHostOptions { StorePath = settings.Store, Ledger = settings.Ledgers[0], Origin = settings.Origin, IsPublic = settings.IsPublic, CheckpointKeyPath = settings.CheckpointKey };
        if (settings.Urls is { Length: > 0 })
        {
            options.Urls.Clear();
            foreach (var url in settings.Urls) options.Urls.Add(url);
        }

        // The command owns this thread and the process; the host stops on Ctrl+C or SIGTERM (its console lifetime).
        LedgerRelayHost.RunAsync(options, context.Output).GetAwaiter().GetResult();
        return ExitCodes.Ok;
    }

    /// <summary>The command line of <c>ledger relay serve</c>.</summary>
    internal sealed record Settings(string Store, string[] Ledgers, string[]? Urls, string? Origin, bool IsPublic, string? Pg, string? PgMap, string? CheckpointKey);
}
