using System.Security.Cryptography;
using Ledger.Signing;
using Ledger.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Sync.AspNetCore;

/// <summary>A running HTTP relay: a Kestrel <see cref="WebApplication"/> serving a <see cref="LedgerRelayServer"/>.
/// What <c>ledger relay serve --store relay.db --urls http://127.0.0.1:5080</c> runs; tests and the demo start one on
/// port 0.</summary>
public sealed class LedgerRelayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IDisposable? _owned;

    private LedgerRelayHost(WebApplication app, LedgerRelayServer server, IDisposable? owned)
    {
        _app = app;
        Server = server;
        _owned = owned;
    }

    /// <summary>The server.</summary>
    public LedgerRelayServer Server { get; }

    /// <summary>The addresses it listens on (with the port chosen when asked for port 0).</summary>
    public IReadOnlyList<string> Urls => _app.Urls.ToArray();

    /// <summary>The host's services (tests read its configuration).</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>Opens the SQLite store (and the checkpoint key file) of <paramref name="options"/> and starts listening.</summary>
    /// <exception cref="ArgumentException">No store path or ledger.</exception>
    /// <exception cref="StoreUnavailableException">Another store (another host, in this process or another) has the SQLite file open.</exception>
    public static async Task<LedgerRelayHost> StartAsync(LedgerRelayHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.StorePath)) throw Error.Argument("LedgerRelayHostOptions.StorePath names the SQLite store.", nameof(options));
        if (!LedgerName.IsValid(options.Ledger)) throw Error.Argument("LedgerRelayHostOptions.Ledger names the ledger.", nameof(options));
        var key = LoadOrCreateKey(options.CheckpointKeyPath ?? options.StorePath + ".checkpoint-key");
        var store = new SqliteRelayStore(options.StorePath);
        try
        {
            var relay = new Ledger.Sync.Relay(new RelayOptions { Ledger = options.Ledger, Origin = options.Origin, CheckpointKey = key }, store);
            var relayOptions = new LedgerRelayOptions().AddLedger(relay, options.IsPublic, options.AdminKey);
            options.Configure?.Invoke(relayOptions);
            return await StartAsync(new LedgerRelayServer(relayOptions), options.Urls, store, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>What <c>ledger relay serve</c> runs: starts the relay of <paramref name="options"/>, writes one line per
    /// address to <paramref name="output"/> — <c>relay listening on &lt;url&gt; ledger=&lt;ledger&gt; origin=&lt;origin&gt;
    /// vkey=&lt;checkpoint verifier key&gt;</c> (the key devices trust, <c>NodeOptions.TrustedRelay</c>) — and serves until
    /// <paramref name="cancellationToken"/> is cancelled or the process is asked to stop.</summary>
    public static async Task RunAsync(LedgerRelayHostOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var host = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            var relay = host.Server.Options.Ledgers[0].Relay;
            foreach (var url in host.Urls)
            {
                await output.WriteLineAsync($"relay listening on {url} ledger={relay.Ledger} origin={relay.Origin} vkey={relay.CheckpointVerifierKey!.ToVkey()}").ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Starts listening on <paramref name="urls"/> with <paramref name="server"/> (whose relays the caller owns).</summary>
    public static Task<LedgerRelayHost> StartAsync(LedgerRelayServer server, IEnumerable<string> urls, CancellationToken cancellationToken = default) =>
        StartAsync(server, urls, null, cancellationToken);

    private static async Task<LedgerRelayHost> StartAsync(LedgerRelayServer server, IEnumerable<string> urls, IDisposable? owned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(urls);
        // No file watching: by default the builder reloads appsettings.json on change, which puts a recursive
        // FileSystemWatcher on the content root (the current directory). Measured in a fleet run from /tmp: about a quarter
        // of the relay process's CPU went to enumerating and re-watching directories as other processes wrote files
        // there (SQLite's journal beside the store among them), and a large tree can exhaust the user's inotify watches.
        // The relay takes its settings from code, so nothing is lost.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls.ToArray());
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = server.Options.MaxRequestBytes + 1);
        builder.Services.AddSingleton(server);
        Microsoft.Extensions.DependencyInjection.LedgerRelayServiceCollectionExtensions.AddRateLimiterPolicy(builder.Services);
        builder.Services.AddHealthChecks().AddLedgerRelay();
        var app = builder.Build();
        app.UseLedgerRelayRateLimiter();
        app.MapLedgerRelay(server);
        app.MapHealthChecks("/healthz");
        app.MapLedgerMonitor(new LedgerMonitorOptions { Server = server });
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new LedgerRelayHost(app, server, owned);
    }

    /// <summary>Waits until the host stops (the token, or the process's shutdown signal).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops listening; open long polls end.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _owned?.Dispose();
        }
    }

    private static SigningKey LoadOrCreateKey(string path)
    {
        if (File.Exists(path))
        {
            var seed = File.ReadAllBytes(path);
            if (seed.Length != 32) throw Error.InvalidData($"the checkpoint key file '{path}' holds {seed.Length} bytes, not a 32-byte seed.");
            return SigningKey.FromSeed(seed);
        }

        var fresh = RandomNumberGenerator.GetBytes(32);
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            file.Write(fresh);
            file.Flush(flushToDisk: true);
        }

        return SigningKey.FromSeed(fresh);
    }
}
