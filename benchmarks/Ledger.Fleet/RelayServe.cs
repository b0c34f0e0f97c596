using Ledger.Sync.AspNetCore;

namespace Ledger.Fleet;

/// <summary>The relay instance a fleet runs as a child process (<c>--serve-relay</c>): the SQLite relay of
/// <c>ledger relay serve</c>, its long poll bounded at 10 s.</summary>
internal static class RelayServe
{
    /// <summary>True when this build has the PostgreSQL relay store (issue 18): then <c>--store postgres --pg …</c>
    /// runs two instances on one database. Wire it here when Ledger.Sync.PostgreSql is on main.</summary>
    public static bool PostgresAvailable => false;

    public static async Task<int> RunAsync(string[] args)
    {
        string? store = null, urls = null, pg = null;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--store": store = args[i + 1]; break;
                case "--urls": urls = args[i + 1]; break;
                case "--pg": pg = args[i + 1]; break;
                case "--checkpoint-key": break;
                default: await Console.Error.WriteLineAsync($"unknown option {args[i]}").ConfigureAwait(false); return 2;
            }
        }

        if (pg is not null)
        {
            await Console.Error.WriteLineAsync("the PostgreSQL relay store is not in this build (issue 18).").ConfigureAwait(false);
            return 2;
        }

        var options = new LedgerRelayHostOptions { StorePath = store ?? "relay.db", Ledger = FleetOptions.Ledger, Configure = o => o.LongPollTimeout = TimeSpan.FromSeconds(10) };
        options.Urls.Clear();
        options.Urls.Add(urls ?? "http://127.0.0.1:0");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        await LedgerRelayHost.RunAsync(options, Console.Out, stop.Token).ConfigureAwait(false);
        return 0;
    }
}
