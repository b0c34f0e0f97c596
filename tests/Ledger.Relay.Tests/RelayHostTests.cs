using System.Net;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;

namespace Ledger.Relay.Tests;

/// <summary>LedgerRelayHost.RunAsync — what <c>ledger relay serve --store relay.db --urls …</c> runs.</summary>
public sealed class RelayHostTests
{
    private sealed class LockedWriter : StringWriter
    {
        public override void WriteLine(string? value)
        {
            lock (this) base.WriteLine(value);
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public string Text()
        {
            lock (this) return ToString();
        }
    }

    [Fact]
    public async Task Run_prints_where_it_listens_and_the_key_devices_trust_serves_until_cancelled_and_keeps_its_key_across_starts()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-relay-run-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var vkeys = new List<string>();
            for (var start = 0; start < 2; start++)
            {
                var options = new LedgerRelayHostOptions { StorePath = Path.Combine(dir, "relay.db"), Ledger = World.Ledger };
                options.Urls.Clear();
                options.Urls.Add("http://127.0.0.1:0");
                var output = new LockedWriter();
                using var stop = new CancellationTokenSource();
                var running = LedgerRelayHost.RunAsync(options, output, stop.Token);
                for (var i = 0; i < 400 && !output.Text().Contains("relay listening on", StringComparison.Ordinal); i++) await Task.Delay(25);
                var line = output.Text().Trim();
                Assert.StartsWith("relay listening on http://127.0.0.1:", line, StringComparison.Ordinal);
                var url = line.Split(' ')[3];
                vkeys.Add(line.Split(' ').Single(p => p.StartsWith("vkey=", StringComparison.Ordinal))[5..]);
                Assert.True(NoteKey.TryParseVkey(vkeys[^1], out _));
                using var http = new HttpClient { BaseAddress = new Uri(url + "/") };
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"v1/ledgers/{World.Ledger}/checkpoint")).StatusCode);
                await stop.CancelAsync();
                await running.WaitAsync(TimeSpan.FromSeconds(30));
            }

            Assert.Equal(vkeys[0], vkeys[1]);
            Assert.True(File.Exists(Path.Combine(dir, "relay.db.checkpoint-key")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_host_watches_no_files_neither_its_configuration_nor_the_current_directory()
    {
        // A watched appsettings.json puts a recursive FileSystemWatcher on the content root: a quarter of a relay's CPU in a
        // fleet run from a busy directory, and a large tree can exhaust the user's inotify watches.
        using var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        var configuration = (Microsoft.Extensions.Configuration.IConfigurationRoot)host.Services.GetService(typeof(Microsoft.Extensions.Configuration.IConfiguration))!;
        var files = configuration.Providers.OfType<Microsoft.Extensions.Configuration.FileConfigurationProvider>().ToArray();
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} reloads on change"));
        var environment = (Microsoft.Extensions.Hosting.IHostEnvironment)host.Services.GetService(typeof(Microsoft.Extensions.Hosting.IHostEnvironment))!;
        Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), Path.TrimEndingDirectorySeparator(environment.ContentRootPath));
    }
}
