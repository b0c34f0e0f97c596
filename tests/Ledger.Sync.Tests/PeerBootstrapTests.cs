using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync.Tests;

/// <summary>Risk B2, from a peer: a member hands a new device a bootstrap package (its checkpoint, key events, the relay's
/// signed checkpoint of the prefix, the prefix's leaf hashes); the device verifies it by the relay path's rules, pulls
/// only the tail, and ends where a genesis replay ends. A package that does not verify is refused with its reason and the
/// device starts from genesis.</summary>
public sealed class PeerBootstrapTests
{
    private static Task<DeviceNode> MemberAsync(string label) =>
        DeviceNode.InceptAsync(BootstrapTests.Options(), new InMemoryNodeStore(), World.Key(label, 0), label, World.Key(label, 1).Public.Digest);

    private static Task<DeviceNode> FromPackageAsync(ReadOnlyMemory<byte> package, IRelayProtocol? relay = null, BootstrapPolicy? policy = null, string label = "peer-new") =>
        DeviceNode.BootstrapFromPackageAsync(BootstrapTests.Options(), new InMemoryNodeStore(), World.Key(label, 0), label, World.Key(label, 1).Public.Digest, package, relay, policy);

    /// <summary>Two members write and sync; the first (rotated once, so its key events are more than its inception) makes
    /// a package of the prefix; then the second writes a tail.</summary>
    private static async Task<(Relay Relay, DeviceNode A, DeviceNode B, byte[] Package, long Prefix, Hash32 HashAtPrefix)> SetUpAsync()
    {
        var relay = BootstrapTests.NewRelay();
        var a = await MemberAsync("peer-a");
        var b = await MemberAsync("peer-b");
        await BootstrapTests.AppendAsync(a, 30, 100);
        await a.RotateAsync(World.Key("peer-a", 1), World.Key("peer-a", 2).Public.Digest, 1);
        await BootstrapTests.AppendAsync(a, 10, 200);
        await BootstrapTests.AppendAsync(b, 30, 300);
        foreach (var node in new[] { a, b, a, b }) await node.SyncAsync(relay);
        await a.SyncAsync(relay);
        var prefix = relay.Size;
        var hash = a.StateHash();
        var package = await a.CreateBootstrapPackageAsync();
        await BootstrapTests.AppendAsync(b, 20, 400);
        await b.SyncAsync(relay);
        return (relay, a, b, package, prefix, hash);
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_new_device_bootstrapped_from_a_peer_package_pulls_only_the_tail_and_ends_at_the_genesis_replay_hash()
    {
        var (relay, a, b, package, prefix, hashAtPrefix) = await SetUpAsync();
        await using var _ = a;
        await using var __ = b;

        // No relay at all during the bootstrap: the package is enough.
        await using var device = await FromPackageAsync(package);
        Assert.Equal(NodeStartPath.Bootstrapped, device.Startup.Path);
        Assert.Null(device.Startup.BootstrapRefusal);
        Assert.Equal(prefix, device.Startup.BootstrapPrefix);
        // The state it started from is the member's at the prefix (its own inception is folded on top of it).
        var (offer, _, _) = BaseWire.Decode(package);
        Assert.Equal(hashAtPrefix, CheckpointCodec.Decode(BootstrapWire.Decode(offer.Checkpoints[0]).Checkpoint).StateHash);
        Assert.Equal(prefix, device.Store.Cursor);

        var sync = await device.SyncAsync(relay);
        Assert.True(sync.Pulled <= relay.Size - prefix, $"pulled {sync.Pulled} of a tail of {relay.Size - prefix}");
        await using var genesis = await MemberAsync("peer-genesis");
        await genesis.SyncAsync(relay);
        await device.SyncAsync(relay);
        await b.SyncAsync(relay);
        Assert.Equal(genesis.StateHash(), device.StateHash());
        Assert.Equal(b.StateHash(), device.StateHash());

        // It goes on as a member: its appends reach the relay and the others.
        await BootstrapTests.AppendAsync(device, 4, 900);
        await device.SyncAsync(relay);
        await b.SyncAsync(relay);
        Assert.Equal(b.StateHash(), device.StateHash());
        Assert.Equal(0, device.Durability().Local);

        // A device that was itself bootstrapped (it holds no op below its base) hands on a package another device starts from.
        await device.SyncAsync(relay);
        var handedOn = await device.CreateBootstrapPackageAsync();
        await using var third = await FromPackageAsync(handedOn, label: "peer-third");
        Assert.Equal(NodeStartPath.Bootstrapped, third.Startup.Path);
        Assert.Equal(relay.Size, third.Startup.BootstrapPrefix);
        await third.SyncAsync(relay);
        await third.SyncAsync(relay);
        await b.SyncAsync(relay);
        Assert.Equal(b.StateHash(), third.StateHash());
    }

    public static TheoryData<string, BootstrapRefusal> Tamperings => new()
    {
        { "the relay's note changed", BootstrapRefusal.PrefixNotCovered },
        { "a leaf hash changed", BootstrapRefusal.PrefixNotCovered },
        { "a leaf hash missing", BootstrapRefusal.Malformed },
        { "the member's signature changed", BootstrapRefusal.BadSignature },
        { "the key events left out", BootstrapRefusal.KeyEventsInvalid },
        { "cut short", BootstrapRefusal.Malformed },
    };

    [Theory]
    [Trait("Risk", "B2")]
    [MemberData(nameof(Tamperings))]
    public async Task A_tampered_peer_package_is_refused_with_its_reason_and_the_device_starts_from_genesis(string tampering, BootstrapRefusal expected)
    {
        var (relay, a, b, package, _, _) = await SetUpAsync();
        await using var _a = a;
        await using var _b = b;
        var (offer, note, leaves) = BaseWire.Decode(package);
        byte[] Flip(byte[] bytes, int at)
        {
            var copy = bytes.ToArray();
            copy[at] ^= 0x01;
            return copy;
        }

        var tampered = tampering switch
        {
            "the relay's note changed" => BaseWire.Encode(offer, Flip(note, note.Length - 5), leaves),
            "a leaf hash changed" => BaseWire.Encode(offer, note, leaves.Select((l, i) => i == leaves.Length / 2 ? Hash32.Sha256(l.ToArray()) : l).ToArray()),
            "a leaf hash missing" => BaseWire.Encode(offer, note, leaves[..^1]),
            "the member's signature changed" => BaseWire.Encode(new BootstrapOffer([Flip(offer.Checkpoints[0].ToArray(), offer.Checkpoints[0].Length - 3)], offer.KeyEvents), note, leaves),
            "the key events left out" => BaseWire.Encode(offer with { KeyEvents = [] }, note, leaves),
            "cut short" => package[..(package.Length / 2)],
            _ => throw new ArgumentException(tampering),
        };

        await using var device = await FromPackageAsync(tampered);
        Assert.Equal(NodeStartPath.Incepted, device.Startup.Path);
        Assert.Equal(expected, device.Startup.BootstrapRefusal);
        Assert.False(string.IsNullOrEmpty(device.Startup.BootstrapRefused));
        Assert.Equal(0, device.Store.Cursor);

        // From genesis, it still reaches the members' state.
        await device.SyncAsync(relay);
        await b.SyncAsync(relay);
        await device.SyncAsync(relay);
        Assert.Equal(b.StateHash(), device.StateHash());
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_package_is_refused_when_the_policy_requires_witness_cosignatures_and_no_relay_is_given_to_read_them_from()
    {
        var (relay, a, b, package, _, _) = await SetUpAsync();
        await using var _a = a;
        await using var _b = b;
        var policy = new BootstrapPolicy { Witnesses = [NoteKey.Create("witness.example/w", World.Key("peer-witness", 0).Public)], RequiredCosignatures = 1 };
        await using var device = await FromPackageAsync(package, relay: null, policy);
        Assert.Equal(BootstrapRefusal.NotCosigned, device.Startup.BootstrapRefusal);

        // With the relay given, the cosignature is looked for there (none was made): refused as not cosigned too.
        await using var asked = await FromPackageAsync(package, relay, policy, "peer-new-2");
        Assert.Equal(BootstrapRefusal.NotCosigned, asked.Startup.BootstrapRefusal);
    }

    [Fact]
    public async Task A_node_that_has_not_synced_to_its_witnessed_prefix_makes_no_package()
    {
        var relay = BootstrapTests.NewRelay();
        await using var a = await MemberAsync("peer-lone");
        await BootstrapTests.AppendAsync(a, 5, 1);
        // Local work not in any relay prefix: nothing to vouch for.
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.CreateBootstrapPackageAsync());
        await a.SyncAsync(relay);
        await a.SyncAsync(relay);
        Assert.NotEmpty(await a.CreateBootstrapPackageAsync());
    }
}
