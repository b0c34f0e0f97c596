using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;

namespace Ledger.Fleet;

/// <summary>The relay instance a fleet runs as a child process (<c>--serve-relay</c>), its long poll bounded at 10 s:
/// the SQLite relay of <c>ledger relay serve</c> (<c>--store</c>), or one of the instances over one PostgreSQL database
/// (<c>--pg &lt;connection string&gt; --checkpoint-key &lt;file&gt;</c>, as <c>ledger relay serve --store postgres</c>
/// runs them: the shared key, and a <see cref="PostgreSqlRelayListener"/> so long polls wake on the other instance's
/// ingests). Each <c>totals</c> line on its standard input is answered with the relay's own counts
/// (<see cref="RelayTotals"/>).</summary>
internal static class RelayServe
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        string? store = null, urls = null, pg = null, keyFile = null;
        var notice = TimeSpan.Zero;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--store": store = args[i + 1]; break;
                case "--urls": urls = args[i + 1]; break;
                case "--pg": pg = args[i + 1]; break;
                case "--checkpoint-key": keyFile = args[i + 1]; break;
                case "--notice-interval-ms": notice = TimeSpan.FromMilliseconds(int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture)); break;
                default: await Console.Error.WriteLineAsync($"unknown option {args[i]}").ConfigureAwait(false); return 2;
            }
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        if (pg is not null) return await ServePostgresAsync(pg, keyFile ?? throw new ArgumentException("--pg needs --checkpoint-key."), urls ?? "http://127.0.0.1:0", notice, stop.Token).ConfigureAwait(false);

        var options = new LedgerRelayHostOptions { StorePath = store ?? "relay.db", Ledger = FleetOptions.Ledger, Configure = o =>
        {
            o.LongPollTimeout = LongPoll;
            o.ChangeNoticeInterval = notice;
        } };
        options.Urls.Clear();
        options.Urls.Add(urls ?? "http://127.0.0.1:0");
        // What LedgerRelayHost.RunAsync does (the same listening line), with the server at hand for the totals.
        using var totals = new RelayTotalsReporter();
        var host = await LedgerRelayHost.StartAsync(options, stop.Token).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            await ServeAsync(host, totals, stop.Token).ConfigureAwait(false);
        }

        return 0;
    }

    // Says where it listens (the line RelayProcess waits for), answers the fleet's totals requests, serves until stopped.
    private static async Task ServeAsync(LedgerRelayHost host, RelayTotalsReporter totals, CancellationToken cancellationToken)
    {
        var relay = host.Server.Options.Ledgers[0].Relay;
        await Console.Out.WriteLineAsync($"relay listening on {host.Urls[0]} ledger={relay.Ledger} origin={relay.Origin} vkey={relay.CheckpointVerifierKey!.ToVkey()}").ConfigureAwait(false);
        await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        totals.AnswerInBackground(host.Server, Console.In, Console.Out);
        try
        {
            await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<int> ServePostgresAsync(string connectionString, string keyFile, string url, TimeSpan notice, CancellationToken cancellationToken)
    {
        using var key = SigningKey.FromSeed(await File.ReadAllBytesAsync(keyFile, cancellationToken).ConfigureAwait(false));
        using var totals = new RelayTotalsReporter();
        try
        {
            using var store = new PostgreSqlRelayStore(connectionString, FleetOptions.Ledger);
            await using var listener = new PostgreSqlRelayListener(connectionString, [store]);
            using var relay = new Relay(new RelayOptions { Ledger = FleetOptions.Ledger, CheckpointKey = key }, store);
            var options = new LedgerRelayOptions { LongPollTimeout = LongPoll, ChangeNoticeInterval = notice }.AddLedger(relay);
            var host = await LedgerRelayHost.StartAsync(new LedgerRelayServer(options), [url], cancellationToken).ConfigureAwait(false);
            await using (host.ConfigureAwait(false))
            {
                await ServeAsync(host, totals, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }
        catch (StoreUnavailableException e)
        {
            // Restarted while PostgreSQL restarts: the fleet reads this line and starts the instance again.
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 3;
        }
    }
}
