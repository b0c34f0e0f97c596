using System.Globalization;
using Ledger.TestDomain;

namespace Ledger.Relay.Tests;

/// <summary>Device nodes in separate processes sync with a Kestrel relay over loopback HTTP.</summary>
public sealed class SeparateProcessTests
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task Devices_in_separate_processes_append_offline_sync_over_http_and_converge_to_one_state_hash()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-relay-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // A relay on SQLite, as `ledger relay serve` runs it.
            var options = new Ledger.Sync.AspNetCore.LedgerRelayHostOptions { StorePath = Path.Combine(dir, "relay.db"), Ledger = World.Ledger };
            options.Urls.Clear();
            options.Urls.Add("http://127.0.0.1:0");
            await using var host = await Ledger.Sync.AspNetCore.LedgerRelayHost.StartAsync(options);
            var relay = host.Server.Options.Ledgers[0].Relay;
            var vkey = relay.CheckpointVerifierKey!.ToVkey();
            var url = host.Urls[0] + "/";

            using var first = new ChildNode(url, World.Ledger, "proc-a", vkey);
            using var second = new ChildNode(url, World.Ledger, "proc-b", vkey);
            await using var local = await World.NewNodeAsync("in-proc", relay.CheckpointVerifierKey);
            using var http = World.Http(host);
            var client = World.Client(http);

            // Offline appends everywhere, then interleaved syncs, twice over (the second appends while others hold state).
            for (var round = 0; round < 2; round++)
            {
                Assert.StartsWith("APPENDED", await first.SendAsync("APPEND 120"), StringComparison.Ordinal);
                Assert.StartsWith("APPENDED", await second.SendAsync("APPEND 140"), StringComparison.Ordinal);
                for (var i = 0; i < 7; i++) await local.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("local", (round * 10) + i));
                foreach (var sync in new Func<Task>[] { () => first.SendAsync("SYNC"), () => second.SendAsync("SYNC"), () => local.SyncAsync(client), () => first.SendAsync("SYNC") })
                {
                    await sync();
                }
            }

            await second.SendAsync("SYNC");
            await local.SyncAsync(client);
            await first.SendAsync("SYNC");

            var expected = local.StateHash().ToString();
            foreach (var child in new[] { first, second })
            {
                var hash = (await child.SendAsync("HASH")).Split(' ');
                Assert.Equal(expected, hash[1]);
                Assert.Equal("local=0", hash[2]);
            }

            Assert.Equal(3 + (2 * (120 + 140 + 7)), relay.Size);
            Assert.Equal(0, local.Durability().Local);
            Assert.True(host.Server.Pushes >= 6, host.Server.Pushes.ToString(CultureInfo.InvariantCulture));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_device_process_killed_during_a_push_over_http_restarts_on_its_store_and_resends_without_duplicates()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-node-kill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var relay = World.NewRelay();
            await using var host = await World.StartAsync(o => o.AddLedger(relay));
            var vkey = relay.CheckpointVerifierKey!.ToVkey();
            var url = host.Urls[0] + "/";
            var db = Path.Combine(dir, "node.db");
            var appended = 0;
            foreach (var killAfter in new[] { 5, 40, 120 })
            {
                using (var child = new ChildNode(url, World.Ledger, "killed-dev", vkey, db))
                {
                    Assert.StartsWith("APPENDED", await child.SendAsync("APPEND 400"), StringComparison.Ordinal);
                    appended += 400;
                    await child.StartAsync("SYNC");
                    await Task.Delay(killAfter);
                    child.Kill();
                }
            }

            using (var child = new ChildNode(url, World.Ledger, "killed-dev", vkey, db))
            {
                await child.SendAsync("SYNC");
                var hash = (await child.SendAsync("HASH")).Split(' ');
                Assert.Equal("local=0", hash[2]);
                Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"durable={appended + 1}"), hash[3]);
            }

            // Exactly one position per op: every resend was recognised.
            Assert.Equal(appended + 1, relay.Size);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
