using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>Risk B2: a new device starts from a checkpoint a member posted to the relay, verified before use, and pulls
/// only the tail; a checkpoint that does not verify is refused with a typed reason and the device starts from genesis.</summary>
public sealed class BootstrapTests
{
    private const string Origin = "relay.example/boot";
    private static readonly SigningKey RelayKey = World.Key("boot-relay", 0);

    internal static NodeOptions Options()
    {
        var options = World.Options();
        options.TrustedRelay = NoteKey.Create(Origin, RelayKey.Public);
        options.OpIds = World.DeterministicId;
        return options;
    }

    internal static Relay NewRelay(IRelayStore? store = null) =>
        new(new RelayOptions { Ledger = World.Ledger, Origin = Origin, CheckpointKey = RelayKey }, store ?? new InMemoryRelayStore());

    private static Task<DeviceNode> MemberAsync(string label) =>
        DeviceNode.InceptAsync(Options(), new InMemoryNodeStore(), World.Key(label, 0), label, World.Key(label, 1).Public.Digest);

    internal static async Task AppendAsync(DeviceNode node, int ops, int salt)
    {
        for (var i = 0; i < ops; i++)
        {
            switch (i % 3)
            {
                case 0:
                    await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i + salt));
                    break;
                case 1:
                    await node.AppendAsync(TestManifest.V1, TestManifest.MoveStock, new AmountArgs("bolt-" + (i % 7), 5));
                    break;
                default:
                    await node.AppendAsync(TestManifest.V1, TestManifest.PutNote, new NoteArgs("n" + (i % 11), "text " + (i + salt)));
                    break;
            }
        }
    }

    /// <summary>Three members write and sync until each holds exactly the relay prefix; a and b publish checkpoints of
    /// it; then a writes a tail after it.</summary>
    private sealed class Fleet : IAsyncDisposable
    {
        public required Relay Relay { get; init; }
        public required DeviceNode A { get; init; }
        public required DeviceNode B { get; init; }
        public required DeviceNode C { get; init; }
        public long Prefix { get; set; }
        public Hash32 HashAtPrefix { get; set; }
        public BootstrapCheckpoint? Published { get; set; }

        public static async Task<Fleet> StartAsync(bool bPublishes = false, bool tail = true, IRelayStore? store = null)
        {
            var relay = NewRelay(store);
            var fleet = new Fleet { Relay = relay, A = await MemberAsync("boot-a"), B = await MemberAsync("boot-b"), C = await MemberAsync("boot-c") };
            var salt = 0;
            foreach (var node in new[] { fleet.A, fleet.B, fleet.C })
            {
                await AppendAsync(node, 40, salt += 100);
                await node.SyncAsync(relay);
            }

            foreach (var node in new[] { fleet.A, fleet.B, fleet.C }) await node.SyncAsync(relay);
            fleet.Prefix = relay.Size;
            fleet.HashAtPrefix = fleet.C.StateHash();
            fleet.Published = await fleet.A.PublishBootstrapCheckpointAsync(relay);
            if (bPublishes) await fleet.B.PublishBootstrapCheckpointAsync(relay);
            if (tail)
            {
                await AppendAsync(fleet.A, 25, 7000);
                await fleet.A.SyncAsync(relay);
            }

            return fleet;
        }

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
            await C.DisposeAsync();
        }
    }

    internal static Task<DeviceNode> NewDeviceAsync(IRelayProtocol relay, BootstrapPolicy? policy = null, string label = "boot-new") =>
        DeviceNode.BootstrapAsync(Options(), new InMemoryNodeStore(), World.Key(label, 0), label, World.Key(label, 1).Public.Digest, relay, policy);

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_new_device_bootstrapped_from_a_relay_checkpoint_equals_a_genesis_replay_at_the_prefix_and_after_the_tail()
    {
        await using var fleet = await Fleet.StartAsync();
        Assert.Equal(fleet.HashAtPrefix, CheckpointCodec.Decode(fleet.Published!.Checkpoint).StateHash);

        await using var device = await NewDeviceAsync(fleet.Relay);
        Assert.Equal(NodeStartPath.Bootstrapped, device.Startup.Path);
        Assert.Null(device.Startup.BootstrapRefusal);
        Assert.Equal(fleet.Prefix, device.Startup.BootstrapPrefix);
        Assert.Equal(1, device.Startup.BootstrapSigners);
        Assert.Equal(fleet.Prefix, device.Store.Cursor);
        Assert.Equal(fleet.Prefix, device.WitnessedCheckpoint!.Size);

        // It pulls only the tail, and every op of the tail chains onto the tips the checkpoint named.
        var size = fleet.Relay.Size;
        var sync = await device.SyncAsync(fleet.Relay);
        Assert.Equal(size - fleet.Prefix + 1, fleet.Relay.Size - fleet.Prefix); // its inception was pushed after the tail
        Assert.Equal(fleet.Relay.Size, device.Store.Cursor);
        Assert.True(sync.Pulled <= fleet.Relay.Size - fleet.Prefix, $"pulled {sync.Pulled}");

        // A device from genesis, and the members, fold everything to the same state.
        await using var genesis = await MemberAsync("boot-genesis");
        await genesis.SyncAsync(fleet.Relay);
        await device.SyncAsync(fleet.Relay);
        await fleet.C.SyncAsync(fleet.Relay);
        Assert.Equal(fleet.C.StateHash(), device.StateHash());
        Assert.Equal(genesis.StateHash(), device.StateHash());

        // And it goes on: its own appends reach the relay and the others.
        await AppendAsync(device, 5, 900);
        await device.SyncAsync(fleet.Relay);
        await fleet.C.SyncAsync(fleet.Relay);
        Assert.Equal(fleet.C.StateHash(), device.StateHash());
        Assert.Equal(0, device.Durability().Local);
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task With_two_signers_required_a_state_only_one_member_vouches_for_is_refused_and_two_honest_members_are_accepted()
    {
        await using var fleet = await Fleet.StartAsync(bPublishes: false, tail: false);
        var two = new BootstrapPolicy { RequiredSigners = 2 };
        await using (var lone = await NewDeviceAsync(fleet.Relay, two))
        {
            Assert.Equal(NodeStartPath.Incepted, lone.Startup.Path);
            Assert.Equal(BootstrapRefusal.NotCorroborated, lone.Startup.BootstrapRefusal);
        }

        await fleet.B.PublishBootstrapCheckpointAsync(fleet.Relay);
        await using var corroborated = await NewDeviceAsync(fleet.Relay, two, "boot-new-2");
        Assert.Equal(NodeStartPath.Bootstrapped, corroborated.Startup.Path);
        Assert.Equal(2, corroborated.Startup.BootstrapSigners);

        // Only trusted signers count when the policy names them.
        await using var untrusted = await NewDeviceAsync(fleet.Relay, new BootstrapPolicy { TrustedSigners = new HashSet<AuthorId> { fleet.C.Author } }, "boot-new-3");
        Assert.Equal(BootstrapRefusal.SignerNotMember, untrusted.Startup.BootstrapRefusal);
    }

    public static TheoryData<string, BootstrapRefusal> Tamperings => new()
    {
        { "rows changed", BootstrapRefusal.StateMismatch },
        { "rows and state hash changed, re-signed by the member", BootstrapRefusal.StateMismatch },
        { "a local op folded, re-signed by the member", BootstrapRefusal.StateMismatch },
        { "prefix beyond the relay-signed checkpoint", BootstrapRefusal.PrefixNotCovered },
        { "root of another prefix", BootstrapRefusal.PrefixNotCovered },
        { "signer not a member", BootstrapRefusal.SignerNotMember },
        { "signature changed", BootstrapRefusal.BadSignature },
        { "bytes cut short (the relay serves nothing it cannot decode)", BootstrapRefusal.NoCheckpoint },
    };

    [Theory]
    [Trait("Risk", "B2")]
    [MemberData(nameof(Tamperings))]
    public async Task A_tampered_relay_checkpoint_is_refused_with_its_reason_and_the_device_replays_from_genesis(string tampering, BootstrapRefusal expected)
    {
        await using var fleet = await Fleet.StartAsync();
        var honest = fleet.Published!;
        var key = World.Key("boot-a", 0);
        var served = await TamperAsync(tampering, honest, key, fleet);

        // A relay that serves what it likes: the tampered envelope replaces the honest one in its store.
        var store = (IBootstrapCheckpointStore)fleet.Relay.Store;
        await store.SaveBootstrapCheckpointAsync(honest.Author.Value, long.MaxValue, served);
        await using var device = await NewDeviceAsync(fleet.Relay);
        Assert.Equal(NodeStartPath.Incepted, device.Startup.Path);
        Assert.Equal(expected, device.Startup.BootstrapRefusal);
        Assert.False(string.IsNullOrEmpty(device.Startup.BootstrapRefused));
        Assert.Equal(0, device.Store.Cursor);

        // From genesis: the first sync pulls the relay's whole log, to the members' state.
        await device.SyncAsync(fleet.Relay);
        await fleet.C.SyncAsync(fleet.Relay);
        await device.SyncAsync(fleet.Relay);
        Assert.Equal(fleet.Relay.Size, device.Store.Cursor);
        Assert.Equal(fleet.C.StateHash(), device.StateHash());
    }

    internal static async Task<byte[]> TamperAsync(string tampering, BootstrapCheckpoint honest, SigningKey key, dynamic fleet)
    {
        var inner = CheckpointCodec.Decode(honest.Checkpoint);
        Checkpoint WithRows(Hash32 stateHash)
        {
            var segments = inner.Segments.ToList();
            var i = segments.FindIndex(s => s.Rows.Count > 0 && !s.Id.Table.StartsWith('$') && s.Kind == TableKind.Counter);
            if (i < 0) i = segments.FindIndex(s => s.Rows.Count > 0);
            var rows = segments[i].Rows.ToList();
            var value = (byte[])rows[0].Value.Clone();
            value[^1] ^= 1;
            rows[0] = new KeyValuePair<string, byte[]>(rows[0].Key, value);
            segments[i] = segments[i] with { Rows = rows };
            return new Checkpoint(inner.Authors, inner.RelayFrontier, inner.RelayCut, inner.KeyStateDigest, inner.Adopted, inner.ClaimFrontier, inner.Pending, inner.Parked, segments, stateHash);
        }

        BootstrapCheckpoint Resign(BootstrapCheckpoint c, SigningKey k) => BootstrapCheckpoint.Sign(c.Ledger, c.Author, c.Origin, c.Prefix, c.Root, c.Digest, c.Checkpoint, k);

        switch (tampering)
        {
            case "rows changed":
                return (honest with { Checkpoint = CheckpointCodec.Encode(WithRows(inner.StateHash)) }).ToBytes();
            case "rows and state hash changed, re-signed by the member":
            {
                var changed = WithRows(Hash32.Sha256([1, 2, 3]));
                return Resign(honest with { Checkpoint = CheckpointCodec.Encode(changed), Digest = changed.Digest }, key).ToBytes();
            }
            case "a local op folded, re-signed by the member":
            {
                DeviceNode a = fleet.A;
                await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1_000_000));
                var state = a.Read(k => k.CreateCheckpoint(new CheckpointExtras { RelayCut = inner.RelayCut }));
                return Resign(honest with { Checkpoint = CheckpointCodec.Encode(state), Digest = state.Digest }, key).ToBytes();
            }
            case "prefix beyond the relay-signed checkpoint":
                return Resign(honest with { Prefix = ((Relay)fleet.Relay).Size + 10 }, key).ToBytes();
            case "root of another prefix":
                return Resign(honest with { Prefix = honest.Prefix + 3 }, key).ToBytes();
            case "signer not a member":
                return Resign(honest with { Author = new AuthorId("boot-outsider") }, World.Key("boot-outsider", 0)).ToBytes();
            case "signature changed":
            {
                var signature = honest.Signature.ToArray();
                signature[5] ^= 0x40;
                return (honest with { Signature = signature }).ToBytes();
            }
            case "bytes cut short (the relay serves nothing it cannot decode)":
                return honest.ToBytes()[..^10];
            default:
                throw new ArgumentOutOfRangeException(nameof(tampering));
        }
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task The_relay_keeps_only_bootstrap_checkpoints_a_member_signed_of_a_prefix_of_its_log()
    {
        await using var fleet = await Fleet.StartAsync(tail: false);
        var honest = fleet.Published!;
        async Task<BootstrapRefusal> RefusedAsync(byte[] envelope) =>
            (await Assert.ThrowsAsync<BootstrapRefusedException>(() => fleet.Relay.PostBootstrapCheckpointAsync(envelope))).Refusal;

        var key = World.Key("boot-a", 0);
        Assert.Equal(BootstrapRefusal.SignerNotMember, await RefusedAsync(BootstrapCheckpoint.Sign(honest.Ledger, new AuthorId("boot-outsider"), honest.Origin, honest.Prefix, honest.Root,
            honest.Digest, honest.Checkpoint, World.Key("boot-outsider", 0)).ToBytes()));
        Assert.Equal(BootstrapRefusal.BadSignature, await RefusedAsync(BootstrapCheckpoint.Sign(honest.Ledger, honest.Author, honest.Origin, honest.Prefix, honest.Root,
            honest.Digest, honest.Checkpoint, World.Key("boot-b", 0)).ToBytes()));
        Assert.Equal(BootstrapRefusal.PrefixNotCovered, await RefusedAsync(BootstrapCheckpoint.Sign(honest.Ledger, honest.Author, honest.Origin, honest.Prefix + 1, honest.Root,
            honest.Digest, honest.Checkpoint, key).ToBytes()));
        Assert.Equal(BootstrapRefusal.WrongLedger, await RefusedAsync(BootstrapCheckpoint.Sign("other-ledger", honest.Author, honest.Origin, honest.Prefix, honest.Root,
            honest.Digest, honest.Checkpoint, key).ToBytes()));
        Assert.Equal(BootstrapRefusal.Malformed, await RefusedAsync(honest.ToBytes()[..^1]));

        // What it keeps: the latest per member, with the key events of every author the state names.
        var offer = await fleet.Relay.GetBootstrapOfferAsync();
        Assert.Single(offer.Checkpoints);
        Assert.Equal(honest.ToBytes(), offer.Checkpoints[0].ToArray());
        Assert.Equal(new[] { fleet.A.Author, fleet.B.Author, fleet.C.Author }.Select(a => a.Value).Order(StringComparer.Ordinal), offer.KeyEvents.Select(k => k.Author.Value));
        Assert.Equal(offer.ToBytes(), BootstrapWire.DecodeOffer(offer.ToBytes()).ToBytes());
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_sqlite_relay_store_keeps_the_latest_bootstrap_checkpoint_per_member_across_a_restart()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        byte[] kept;
        using (var store = new SqliteRelayStore(path))
        {
            await using var fleet = await Fleet.StartAsync(tail: false, store: store);
            kept = fleet.Published!.ToBytes();
            // An older prefix posted late does not replace the newer one.
            await ((IBootstrapCheckpointStore)store).SaveBootstrapCheckpointAsync(fleet.A.Author.Value, fleet.Prefix - 1, new byte[] { 1, 2, 3 });
        }

        using var reopened = new SqliteRelayStore(path);
        var held = await ((IBootstrapCheckpointStore)reopened).ReadBootstrapCheckpointsAsync();
        Assert.Equal(kept, Assert.Single(held));
        await using var device = await NewDeviceAsync(NewRelay(reopened));
        Assert.Equal(NodeStartPath.Bootstrapped, device.Startup.Path);
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_bootstrapped_device_reopens_from_its_base_verified_again_and_a_changed_base_is_refused_as_damage()
    {
        await using var fleet = await Fleet.StartAsync();
        var path = Path.Combine(World.TempDir(), "node.db");
        Hash32 before;
        await using (var device = await DeviceNode.BootstrapAsync(Options(), new SqliteNodeStore(path), World.Key("boot-new", 0), "boot-new", World.Key("boot-new", 1).Public.Digest, fleet.Relay))
        {
            Assert.Equal(NodeStartPath.Bootstrapped, device.Startup.Path);
            await device.SyncAsync(fleet.Relay);
            await AppendAsync(device, 4, 5000);
            before = device.StateHash();
        }

        await using (var reopened = await DeviceNode.OpenAsync(Options(), new SqliteNodeStore(path), World.Key("boot-new", 0)))
        {
            Assert.Equal(NodeStartPath.Reopened, reopened.Startup.Path);
            Assert.Equal(fleet.Prefix, reopened.Startup.BootstrapPrefix);
            Assert.Equal(before, reopened.StateHash());

            // It goes on: pushes its work, pulls the others', and agrees with a member.
            await AppendAsync(fleet.A, 3, 8000);
            await fleet.A.SyncAsync(fleet.Relay);
            await reopened.SyncAsync(fleet.Relay);
            await fleet.C.SyncAsync(fleet.Relay);
            Assert.Equal(fleet.C.StateHash(), reopened.StateHash());
        }

        // A base changed on disk (one byte of its leaf hashes) no longer verifies: the store is damaged, not believed.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + path))
        {
            db.Open();
            using var read = db.CreateCommand();
            read.CommandText = "SELECT bytes FROM bootstrap_base WHERE id = 1;";
            var bytes = (byte[])read.ExecuteScalar()!;
            bytes[^1] ^= 0x01;
            using var write = db.CreateCommand();
            write.CommandText = "UPDATE bootstrap_base SET bytes = $b WHERE id = 1;";
            write.Parameters.AddWithValue("$b", bytes);
            write.ExecuteNonQuery();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var e = await Assert.ThrowsAsync<StoreDamagedException>(() => DeviceNode.OpenAsync(Options(), new SqliteNodeStore(path), World.Key("boot-new", 0)));
        Assert.True(e.Message.Contains("bootstrap base", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task A_node_trusting_its_relay_reopens_when_its_own_ops_were_acknowledged_after_ops_it_pulled_later()
    {
        // The store holds the node's own op first (appended, then pushed: the relay put it after the others' ops), then
        // the ops it pulled before it. The witness's tree is rebuilt in relay order, not store order.
        await using var fleet = await Fleet.StartAsync(tail: false);
        var path = Path.Combine(World.TempDir(), "node.db");
        await using (var node = await DeviceNode.InceptAsync(Options(), new SqliteNodeStore(path), World.Key("boot-genesis", 0), "boot-genesis", World.Key("boot-genesis", 1).Public.Digest))
        {
            await node.SyncAsync(fleet.Relay);
        }

        await using var reopened = await DeviceNode.OpenAsync(Options(), new SqliteNodeStore(path), World.Key("boot-genesis", 0));
        await AppendAsync(fleet.A, 3, 8000);
        await fleet.A.SyncAsync(fleet.Relay);
        await reopened.SyncAsync(fleet.Relay);
        await fleet.A.SyncAsync(fleet.Relay);
        Assert.Equal(fleet.A.StateHash(), reopened.StateHash());
    }
}
