using Ledger.Kernel;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Relay.Tests;

/// <summary>Risk B2 over HTTP: a new device bootstraps from a checkpoint a member posted to the relay (POST/GET
/// bootstrap, leaf hashes from level-0 tiles), equals a genesis device after the tail, and a tampered checkpoint is
/// refused with its reason and the device starts from genesis.</summary>
public sealed class HttpBootstrapTests
{
    private static async Task WriteAsync(DeviceNode node, int ops, int salt)
    {
        for (var i = 0; i < ops; i++)
        {
            if (i % 2 == 0) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i + salt));
            else await node.AppendAsync(TestManifest.V1, TestManifest.PutNote, new NoteArgs("n" + (i % 5), "text " + (i + salt)));
        }
    }

    private static Task<DeviceNode> NewDeviceAsync(Sync.Relay relay, IRelayProtocol client, string label) =>
        DeviceNode.BootstrapAsync(World.Options(World.Trusted(relay)), new InMemoryNodeStore(), World.Key(label, 0), label, World.Key(label, 1).Public.Digest, client);

    [Fact]
    [Trait("Risk", "B2")]
    public async Task Over_http_a_new_device_bootstrapped_from_a_posted_checkpoint_equals_a_genesis_device_after_the_tail()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var client = World.Client(http);
        await using var a = await World.NewNodeAsync("boot-http-a", World.Trusted(relay));
        await using var b = await World.NewNodeAsync("boot-http-b", World.Trusted(relay));
        await WriteAsync(a, 300, 0);
        await WriteAsync(b, 30, 1000);
        await World.ConvergeAsync(client, a, b);
        var prefix = relay.Size;
        Assert.True(prefix > 256, "the prefix spans a full tile and a partial one");
        var published = await a.PublishBootstrapCheckpointAsync(client);
        Assert.Equal(prefix, published.Prefix);
        await WriteAsync(b, 20, 2000);
        await World.ConvergeAsync(client, a, b);

        await using var device = await NewDeviceAsync(relay, client, "boot-http-new");
        Assert.Equal(NodeStartPath.Bootstrapped, device.Startup.Path);
        Assert.Equal(prefix, device.Startup.BootstrapPrefix);
        var first = await device.SyncAsync(client);
        Assert.True(first.Pulled <= relay.Size - prefix, $"pulled {first.Pulled} of a tail of {relay.Size - prefix}");

        await using var genesis = await World.NewNodeAsync("boot-http-genesis", World.Trusted(relay));
        await World.ConvergeAsync(client, a, b, device, genesis);
        Assert.Equal(a.StateHash(), device.StateHash());
        Assert.Equal(genesis.StateHash(), device.StateHash());
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task Over_http_a_tampered_or_foreign_checkpoint_is_refused_with_its_reason_and_the_device_replays_from_genesis()
    {
        var relay = World.NewRelay();
        await using var host = await World.StartAsync(o => o.AddLedger(relay));
        using var http = World.Http(host);
        var client = World.Client(http);
        await using var a = await World.NewNodeAsync("boot-http-a", World.Trusted(relay));
        await WriteAsync(a, 40, 0);
        await World.ConvergeAsync(client, a);
        var honest = await a.PublishBootstrapCheckpointAsync(client);

        // The relay refuses, as a typed problem, a checkpoint of a prefix beyond its log and one signed by a non-member.
        var beyond = BootstrapCheckpoint.Sign(honest.Ledger, honest.Author, honest.Origin, relay.Size + 5, honest.Root, honest.Digest, honest.Checkpoint, World.Key("boot-http-a", 0));
        Assert.Equal(BootstrapRefusal.PrefixNotCovered, (await Assert.ThrowsAsync<BootstrapRefusedException>(() => client.PostBootstrapCheckpointAsync(beyond.ToBytes()))).Refusal);
        var outsider = BootstrapCheckpoint.Sign(honest.Ledger, new AuthorId("boot-http-outsider"), honest.Origin, honest.Prefix, honest.Root, honest.Digest, honest.Checkpoint,
            World.Key("boot-http-outsider", 0));
        Assert.Equal(BootstrapRefusal.SignerNotMember, (await Assert.ThrowsAsync<BootstrapRefusedException>(() => client.PostBootstrapCheckpointAsync(outsider.ToBytes()))).Refusal);

        // A relay whose store serves a checkpoint whose rows were changed: the device refuses it and starts from genesis.
        var inner = CheckpointCodec.Decode(honest.Checkpoint);
        var segments = inner.Segments.ToList();
        var i = segments.FindIndex(s => s.Rows.Count > 0 && !s.Id.Table.StartsWith('$'));
        var rows = segments[i].Rows.ToList();
        var value = (byte[])rows[0].Value.Clone();
        value[^1] ^= 1;
        rows[0] = new KeyValuePair<string, byte[]>(rows[0].Key, value);
        segments[i] = segments[i] with { Rows = rows };
        var changed = new Checkpoint(inner.Authors, inner.RelayFrontier, inner.RelayCut, inner.KeyStateDigest, inner.Adopted, inner.ClaimFrontier, inner.Pending, inner.Parked, segments, inner.StateHash);
        await ((IBootstrapCheckpointStore)relay.Store).SaveBootstrapCheckpointAsync(a.Author.Value, long.MaxValue, (honest with { Checkpoint = CheckpointCodec.Encode(changed) }).ToBytes());

        await using var device = await NewDeviceAsync(relay, client, "boot-http-new");
        Assert.Equal(NodeStartPath.Incepted, device.Startup.Path);
        Assert.Equal(BootstrapRefusal.StateMismatch, device.Startup.BootstrapRefusal);
        Assert.Contains("digest", device.Startup.BootstrapRefused, StringComparison.Ordinal);
        await World.ConvergeAsync(client, a, device);
        Assert.Equal(relay.Size, device.Store.Cursor);
        Assert.Equal(a.StateHash(), device.StateHash());
    }
}
