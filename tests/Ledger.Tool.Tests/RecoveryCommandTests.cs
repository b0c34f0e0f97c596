using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Tool.Tests;

/// <summary>The runbook commands on real SQLite files: <c>ledger rebuild</c>, <c>ledger import</c>,
/// <c>ledger export inspect</c>.</summary>
public class RecoveryCommandTests
{
    private const string LedgerName = "tool-ledger";
    private static readonly CounterTable Counter = new("n");
    private static readonly Tally TallyVerb = new();
    private static readonly Manifest Manifest = new ManifestBuilder("tool", 1).Table(Counter).Add(TallyVerb).Build();

    private sealed class Tally() : Verb<long>("tally", 1, Scope.Shared)
    {
        protected override void Execute(VerbContext context, long args) => context.Add(Counter, "n", args);
    }

    private static SigningKey Key(string label, int i) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{i}")).ToArray());

    private static NodeOptions Options() => new() { Ledger = LedgerName, Manifests = new ManifestCatalog(Manifest) };

    private static string Folder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-tool-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Three devices trade through a relay until each holds everything, on SQLite files.</summary>
    private static async Task<(string[] Stores, Relay Relay)> Trade(string dir)
    {
        var relay = new Relay(new RelayOptions { Ledger = LedgerName }, new InMemoryRelayStore());
        var link = new InMemoryRelayTransport(relay);
        var paths = new[] { "a", "b", "c" }.Select(l => Path.Combine(dir, $"till-{l}.db")).ToArray();
        var nodes = new DeviceNode[paths.Length];
        for (var i = 0; i < paths.Length; i++) nodes[i] = await DeviceNode.InceptAsync(Options(), new SqliteNodeStore(paths[i]), Key("till-" + i, 0), "till-" + i, Key("till-" + i, 1).Public.Digest);
        for (var round = 0; round < 3; round++)
        {
            foreach (var node in nodes)
            {
                await node.AppendAsync(Manifest, TallyVerb, round + 1L);
                await node.SyncAsync(link);
            }
        }

        foreach (var node in nodes) await node.SyncAsync(link);
        foreach (var node in nodes) await node.DisposeAsync();
        return (paths, relay);
    }

    [Fact]
    [Trait("Risk", "A2")]
    public async Task Rebuild_writes_a_relay_store_holding_the_old_order_and_says_nothing_was_lost()
    {
        var dir = Folder();
        var (stores, relay) = await Trade(dir);
        var output = Path.Combine(dir, "relay.db");
        var run = ToolRun.Of("", ["rebuild", .. stores.SelectMany(s => new[] { "--from", s }), "--out", output]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"old order: {relay.Size} positions; recovered {relay.Size}; lost 0", run.Output);
        using var rebuilt = new SqliteRelayStore(output);
        Assert.Equal(relay.Size, rebuilt.Count);
        Assert.Equal((await relay.PullAsync(0)).Ops.Select(o => Hash32.Sha256(o.Bytes.Span)), (await rebuilt.ReadAsync(0, 1000)).Select(o => Hash32.Sha256(o.Bytes.Span)));

        // Run again onto the same file: refused, the store untouched.
        var again = ToolRun.Of("", "rebuild", "--from", stores[0], "--out", output);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("exists", again.Error);
    }

    [Fact]
    [Trait("Risk", "A2")]
    public async Task Rebuild_from_stores_that_miss_a_device_lists_exactly_its_positions_as_lost_and_exits_1()
    {
        var dir = Folder();
        var (stores, relay) = await Trade(dir);
        // One surviving store that never held till-2's ops (a device that kept only what it needed).
        var partial = Path.Combine(dir, "partial.db");
        AuthorId gone;
        using (var full = new SqliteNodeStore(stores[0]))
        using (var kept = new SqliteNodeStore(partial))
        {
            var records = (await full.ReadAllAsync().ToListAsync());
            gone = records.Select(r => r.Op.Author).Distinct().Single(a => a.Value.StartsWith("till-2.", StringComparison.Ordinal));
            await kept.AppendAsync(records.Where(r => r.Op.Author != gone).ToArray(), full.Cursor);
        }

        // Positions after the last one the survivor holds are invisible without a witnessed checkpoint (this relay
        // signed none): only the holes before it can be named.
        var order = (await relay.PullAsync(0)).Ops.Select(o => (o.Position, Author: SignedOpCodec.Decode(o.Bytes).Op.Author)).ToArray();
        var lastHeld = order.Where(o => o.Author != gone).Max(o => o.Position);
        var expected = order.Where(o => o.Author == gone && o.Position < lastHeld).Select(o => o.Position).ToArray();
        Assert.NotEmpty(expected);
        var run = ToolRun.Of("", "rebuild", "--from", partial, "--out", Path.Combine(dir, "relay.db"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("lost positions: " + string.Join(", ", expected), run.Output);
        Assert.Contains($"old order: {lastHeld + 1} positions; recovered {lastHeld + 1 - expected.Length}; lost {expected.Length}", run.Output);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task Import_writes_a_verified_export_into_a_new_node_store_the_app_opens_to_the_same_state()
    {
        var dir = Folder();
        var relay = new Relay(new RelayOptions { Ledger = LedgerName }, new InMemoryRelayStore());
        byte[] export;
        Hash32 hash;
        await using (var node = (await DeviceNode.InceptAsync(Options(), new InMemoryNodeStore(), Key("x", 0), "x", Key("x", 1).Public.Digest)))
        {
            for (var i = 0; i < 4; i++) await node.AppendAsync(Manifest, TallyVerb, i);
            await node.SyncAsync(new InMemoryRelayTransport(relay));
            await node.AppendAsync(Manifest, TallyVerb, 10);
            export = await node.ExportAsync();
            hash = node.StateHash();
        }

        var file = Path.Combine(dir, "x.export");
        File.WriteAllBytes(file, export);
        var inspect = ToolRun.Of("", "export", "inspect", file);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains("6 ops (6 own, 1 unacknowledged)", inspect.Output);

        var store = Path.Combine(dir, "x.db");
        var run = ToolRun.Of("", "import", file, "--out", store);
        Assert.True(run.ExitCode == 0, run.ToString());
        await using (var opened = (await DeviceNode.OpenAsync(Options(), new SqliteNodeStore(store), Key("x", 0))))
        {
            Assert.Equal(hash, opened.StateHash());
            Assert.Equal(1, opened.Durability().Local);
        }

        // A tampered export is refused and no store is written.
        var tampered = (byte[])export.Clone();
        tampered[^3] ^= 0x40;
        File.WriteAllBytes(file, tampered);
        var refused = ToolRun.Of("", "import", file, "--out", Path.Combine(dir, "y.db"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("does not verify", refused.Error);
        Assert.False(File.Exists(Path.Combine(dir, "y.db")));
        Assert.Equal(1, ToolRun.Of("", "export", "inspect", file).ExitCode);
    }
}
