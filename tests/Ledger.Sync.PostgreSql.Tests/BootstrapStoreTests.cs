using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>Risk B2 over the PostgreSQL relay store: a posted bootstrap checkpoint is kept (the latest per member, in a
/// table of its own) across a new relay instance, and a new device bootstraps from it to the member's state.</summary>
public sealed class BootstrapStoreTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    private const string Ledger = "boot-pg";
    private const string Origin = "relay.example/boot-pg";
    private static readonly SigningKey RelayKey = Key("boot-pg-relay", 0);

    private static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{index}")).ToArray());

    private static NodeOptions Options() => new()
    {
        Ledger = Ledger, Manifests = new ManifestCatalog(TestManifest.V1), TrustedRelay = NoteKey.Create(Origin, RelayKey.Public),
    };

    private Relay NewRelay() => new(new RelayOptions { Ledger = Ledger, Origin = Origin, CheckpointKey = RelayKey }, new PostgreSqlRelayStore(database.ConnectionString, Ledger));

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_postgresql_relay_store_keeps_bootstrap_checkpoints_for_a_new_instance_and_a_new_device_starts_from_one()
    {
        var relay = NewRelay();
        await using var member = await DeviceNode.InceptAsync(Options(), new InMemoryNodeStore(), Key("boot-pg-a", 0), "boot-pg-a", Key("boot-pg-a", 1).Public.Digest);
        for (var i = 0; i < 30; i++) await member.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
        await member.SyncAsync(relay);
        await member.SyncAsync(relay);
        var published = await member.PublishBootstrapCheckpointAsync(relay);

        // An older prefix posted late does not replace it.
        await ((IBootstrapCheckpointStore)relay.Store).SaveBootstrapCheckpointAsync(member.Author.Value, published.Prefix - 1, new byte[] { 1 });
        relay.Dispose();

        using var other = NewRelay();
        Assert.Equal(published.ToBytes(), Assert.Single(await ((IBootstrapCheckpointStore)other.Store).ReadBootstrapCheckpointsAsync()));
        await using var device = await DeviceNode.BootstrapAsync(Options(), new InMemoryNodeStore(), Key("boot-pg-new", 0), "boot-pg-new", Key("boot-pg-new", 1).Public.Digest, other);
        Assert.Equal(NodeStartPath.Bootstrapped, device.Startup.Path);
        Assert.Equal(published.Prefix, device.Startup.BootstrapPrefix);
        await device.SyncAsync(other);
        await member.SyncAsync(other);
        Assert.Equal(member.StateHash(), device.StateHash());
    }
}
