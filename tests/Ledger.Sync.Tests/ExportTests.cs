using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>The "email it to yourself" backup and the eviction policy (risk A1): work no relay holds survives
/// a wiped device when the policy is on, and its loss is reported when it is off.</summary>
public class ExportTests
{
    private static async Task<(DeviceNode Node, Relay Relay, InMemoryRelayTransport Link)> Busy(string label, NodeOptions? options = null)
    {
        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay);
        await using (var other = await World.NewNodeAsync("till-other"))
        {
            await other.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 3));
            await other.SyncAsync(link);
        }

        var node = (await DeviceNode.InceptAsync(options ?? World.Options(), new InMemoryNodeStore(), World.Key(label, 0), label, World.Key(label, 1).Public.Digest));
        for (var i = 0; i < 5; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
        await node.SyncAsync(link);
        return (node, relay, link);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task Export_then_wipe_then_import_reaches_the_same_state_and_the_unacknowledged_ops_are_pushed_later()
    {
        var (node, relay, link) = await Busy("till-1");
        link.Online = false;
        for (var i = 0; i < 7; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 100 + i));
        var export = (await node.ExportAsync());
        var hash = node.StateHash();
        await node.DisposeAsync();

        // The device is wiped; the export comes back from wherever it was sent.
        await using var restored = await DeviceNode.ImportAsync(World.Options(), new InMemoryNodeStore(), export, World.Key("till-1", 0));
        Assert.Equal(hash, restored.StateHash());
        Assert.Equal(7, restored.Durability().Local);
        Assert.Equal("export", restored.LastRestore!.Source);
        Assert.Equal(7, restored.LastRestore.Unacknowledged);
        Assert.Equal(NodeStartPath.Imported, restored.Startup.Path);
        link.Online = true;
        await restored.SyncAsync(link);
        Assert.Equal(0, restored.Durability().Local);
        Assert.Empty((await relay.GetEvidenceAsync()));
        Assert.Equal(1 + 1 + 6 + 7, relay.Size);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task With_the_eviction_policy_on_a_device_wiped_after_n_offline_ops_gets_all_n_back()
    {
        var path = Path.Combine(World.TempDir(), "till-2.export");
        var options = World.Options();
        options.AtRiskExport = new AtRiskExportPolicy { Path = path, MaxUncoveredOps = 10, MaxUncoveredAge = TimeSpan.FromDays(1), OnClose = false };
        var (node, relay, link) = await Busy("till-2", options);
        link.Online = false;
        for (var i = 0; i < 10; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 100 + i));
        var hash = node.StateHash();
        // Storage wiped: the node and its store are gone without a chance to close cleanly.
        node = null!;

        Assert.True(File.Exists(path), "the policy wrote no export");
        await using var restored = await DeviceNode.ImportAsync(World.Options(), new InMemoryNodeStore(), File.ReadAllBytes(path), World.Key("till-2", 0));
        Assert.Equal(hash, restored.StateHash());
        Assert.Equal(10, restored.Durability().Local);
        link.Online = true;
        await restored.SyncAsync(link);
        Assert.Equal(1 + 1 + 6 + 10, relay.Size);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task With_the_eviction_policy_off_the_loss_of_a_wiped_devices_offline_ops_is_reported_not_silent()
    {
        var master = Hash32.Sha256("till-3 master"u8).ToArray();
        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay);
        var node = (await DeviceNode.InceptAsync(World.Options(), new InMemoryNodeStore(), AuthorRecovery.KeyAt(master, "till-3", 0), "till-3", AuthorRecovery.KeyAt(master, "till-3", 1).Public.Digest));
        for (var i = 0; i < 5; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
        await node.SyncAsync(link);
        link.Online = false;
        for (var i = 0; i < 10; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 100 + i));
        var before = node.Durability();
        Assert.Equal(10, before.Local); // the ladder said so all along: ten ops at risk
        var author = node.Author;
        node = null!;

        link.Online = true;
        await using var recovered = await DeviceNode.RecoverAsync(World.Options(), new InMemoryNodeStore(), master, author, link);
        var report = Assert.IsType<RestoreReport>(recovered.LastRestore);
        Assert.Equal("relay", report.Source);
        Assert.Equal(NodeStartPath.Recovered, recovered.Startup.Path);
        Assert.Equal(6UL, report.OwnThroughSeq);
        Assert.Contains("after seq 6", report.MayBeLost);
        Assert.Contains("lost", report.MayBeLost);
        Assert.Equal(1, recovered.Durability().Local); // only the recovery's rotation: the ten offline ops are gone, and the report says so
    }

    [Fact]
    [Trait("Risk", "A1")]
    [Trait("Category", "BadInput")]
    public async Task Truncated_or_tampered_exports_are_refused_typed_and_nothing_is_imported()
    {
        var (node, _, _) = await Busy("till-4");
        var export = (await node.ExportAsync());
        var hash = node.StateHash();
        await node.DisposeAsync();
        var key = World.Key("till-4", 0);

        async Task Refused(byte[] bytes, string what)
        {
            var store = new InMemoryNodeStore();
            var error = await Record.ExceptionAsync(() => DeviceNode.ImportAsync(World.Options(), store, bytes, key));
            Assert.True(error is LedgerFormatException or ExportException, $"{what}: {error?.GetType().Name ?? "imported"}: {error?.Message}");
            Assert.Empty((await store.ReadAllAsync().ToListAsync()));
        }

        for (var length = 0; length < export.Length; length += Math.Max(1, export.Length / 25)) await Refused(export[..length], $"truncated to {length}");
        var random = new Random(4);
        for (var k = 0; k < 40; k++)
        {
            var mutated = (byte[])export.Clone();
            var at = random.Next(mutated.Length);
            mutated[at] ^= (byte)(1 << random.Next(8));
            await Refused(mutated, $"bit flip at {at}");
        }

        // Validly signed by the device, but claiming a state its ops do not fold to.
        var decoded = NodeExport.Decode(export);
        var lying = NodeExport.Create(decoded.Ledger, decoded.Exporter, decoded.Cursor, Hash32.Sha256("another state"u8), decoded.Records, decoded.Witnesses, key);
        var refusal = await Assert.ThrowsAsync<ExportException>(() => DeviceNode.ImportAsync(World.Options(), new InMemoryNodeStore(), lying, key));
        Assert.Contains("Nothing was imported", refusal.Message);

        // And the real one still imports.
        await using var restored = await DeviceNode.ImportAsync(World.Options(), new InMemoryNodeStore(), export, key);
        Assert.Equal(hash, restored.StateHash());
    }
}
