using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>Risk B2: a node writes checkpoints of its state as it goes and opens from the latest plus the tail; a
/// checkpoint that does not verify is refused and the node replays its log, saying so in Startup.</summary>
public sealed class NodeCheckpointTests
{
    private static NodeOptions Options(INodeCheckpointStore? checkpoints, int every = 20)
    {
        var options = World.Options();
        options.Checkpoints = checkpoints;
        options.CheckpointEvery = every;
        options.OpIds = World.DeterministicId;
        return options;
    }

    private static async Task<(Hash32 Hash, int Ops)> WriteAsync(INodeStore store, INodeCheckpointStore? checkpoints, int ops, bool sync = true)
    {
        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay);
        await using var node = await DeviceNode.InceptAsync(Options(checkpoints), store, World.Key("till", 0), "till", World.Key("till", 1).Public.Digest);
        for (var i = 0; i < ops; i++)
        {
            switch (i % 3)
            {
                case 0:
                    await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
                    break;
                case 1:
                    await node.AppendAsync(TestManifest.V1, TestManifest.MoveStock, new AmountArgs("bolt-" + (i % 7), 5));
                    break;
                default:
                    await node.AppendAsync(TestManifest.V1, TestManifest.PutNote, new NoteArgs("n" + (i % 11), "text " + i));
                    break;
            }
            if (sync && i % 25 == 24) await node.SyncAsync(link);
        }

        return (node.StateHash(), ops + 1);
    }

    private static async Task<DeviceNode> OpenAsync(INodeStore store, INodeCheckpointStore? checkpoints, int every = 20) =>
        await DeviceNode.OpenAsync(Options(checkpoints, every), store, World.Key("till", 0));

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_node_opens_from_its_latest_checkpoint_plus_the_tail_at_the_hash_of_a_genesis_replay()
    {
        var dir = World.TempDir();
        var storePath = Path.Combine(dir, "node.db");
        var checkpointPath = Path.Combine(dir, "node.checkpoint.db");
        Hash32 written;
        int total;
        using (var checkpoints = new SqliteNodeCheckpointStore(checkpointPath))
        {
            (written, total) = await WriteAsync(new SqliteNodeStore(storePath), checkpoints, 110);
        }

        using (var checkpoints = new SqliteNodeCheckpointStore(checkpointPath))
        {
            await using var fromCheckpoint = await OpenAsync(new SqliteNodeStore(storePath), checkpoints);
            Assert.Null(fromCheckpoint.Startup.CheckpointRefused);
            Assert.True(fromCheckpoint.Startup.CheckpointOps >= 100, $"opened from a checkpoint of {fromCheckpoint.Startup.CheckpointOps} ops");
            Assert.Equal(total - fromCheckpoint.Startup.CheckpointOps, fromCheckpoint.Startup.OpsFolded);
            Assert.Equal(written, fromCheckpoint.StateHash());

            // It goes on: appends chain after the log's tip and fold on the restored state.
            var next = await fromCheckpoint.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
            Assert.Equal((ulong)total + 1, next.Op.Seq);
            written = fromCheckpoint.StateHash();
        }

        await using var genesis = await OpenAsync(new SqliteNodeStore(storePath), checkpoints: null);
        Assert.Equal(0, genesis.Startup.CheckpointOps);
        Assert.Equal(total + 1, genesis.Startup.OpsFolded);
        Assert.Equal(written, genesis.StateHash());
    }

    public static TheoryData<string> Tamperings => ["flipped byte", "changed row, digest recomputed", "signature changed", "signed by another key", "ops count changed"];

    [Theory]
    [Trait("Risk", "B2")]
    [MemberData(nameof(Tamperings))]
    public async Task A_tampered_checkpoint_is_refused_and_the_node_replays_its_log_saying_why(string tampering)
    {
        var store = new InMemoryNodeStore();
        var checkpoints = new InMemoryNodeCheckpointStore();
        var (written, total) = await WriteAsync(store, checkpoints, 60);
        var latest = (await checkpoints.LatestAsync())!;
        var bytes = latest.Checkpoint.ToArray();
        NodeCheckpointRecord tampered;
        switch (tampering)
        {
            case "flipped byte":
                bytes[bytes.Length / 2] ^= 0x10;
                tampered = latest with { Checkpoint = bytes };
                break;
            case "changed row, digest recomputed":
                var c = CheckpointCodec.Decode(bytes);
                var segment = c.Segments.First(s => s.Id.Table == "balances");
                var rows = segment.Rows.ToList();
                rows[0] = new(rows[0].Key, MessagePack.MessagePackSerializer.Serialize(999_999L));
                var segments = c.Segments.Select(s => s == segment ? segment with { Rows = rows } : s).ToArray();
                // A state hash that matches the changed rows, and a digest over it: only the signature can tell.
                var probe = new Checkpoint(c.Authors, c.RelayFrontier, c.RelayCut, c.KeyStateDigest, c.Adopted, c.ClaimFrontier, c.Pending, c.Parked, segments, c.StateHash);
                var rehashed = RowsHash(probe);
                tampered = latest with { Checkpoint = CheckpointCodec.Encode(new Checkpoint(c.Authors, c.RelayFrontier, c.RelayCut, c.KeyStateDigest, c.Adopted, c.ClaimFrontier, c.Pending, c.Parked, segments, rehashed)) };
                break;
            case "signature changed":
                var signature = latest.Signature.ToArray();
                signature[3] ^= 1;
                tampered = latest with { Signature = signature };
                break;
            case "signed by another key":
                var other = new InMemoryNodeCheckpointStore();
                var otherStore = new InMemoryNodeStore();
                await using (var node = await DeviceNode.InceptAsync(Options(other), otherStore, World.Key("other", 0), "other", World.Key("other", 1).Public.Digest))
                {
                    for (var i = 0; i < 30; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
                }

                tampered = (await other.LatestAsync())!;
                break;
            default:
                tampered = latest with { Ops = latest.Ops - 5 };
                break;
        }

        var replaced = new InMemoryNodeCheckpointStore();
        await replaced.SaveAsync(tampered);
        await using var node2 = await OpenAsync(store, replaced, every: 1_000);
        Assert.NotNull(node2.Startup.CheckpointRefused);
        Assert.Equal(0, node2.Startup.CheckpointOps);
        Assert.Equal(total, node2.Startup.OpsFolded);
        Assert.Equal(written, node2.StateHash());
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_checkpoint_of_the_nodes_own_key_that_names_ops_its_log_does_not_hold_is_refused()
    {
        // The same chain written twice (deterministic clock and op ids): one store with 40 ops, one with 20.
        var longer = new InMemoryNodeCheckpointStore();
        var (_, _) = await WriteAsync(new InMemoryNodeStore(), longer, 40, sync: false);
        var shortStore = new InMemoryNodeStore();
        var (shortHash, shortTotal) = await WriteAsync(shortStore, checkpoints: null, 20, sync: false);

        await using var node = await OpenAsync(shortStore, longer);
        Assert.Contains("does not match the node's log", node.Startup.CheckpointRefused, StringComparison.Ordinal);
        Assert.Equal(0, node.Startup.CheckpointOps);
        Assert.Equal(shortTotal, node.Startup.OpsFolded);
        Assert.Equal(shortHash, node.StateHash());
    }

    private static Hash32 RowsHash(Checkpoint checkpoint)
    {
        // The rows' own state hash: the kernel names it when it refuses rows that do not hash to the claimed one.
        var e = Assert.Throws<CheckpointException>(() =>
            LedgerKernel.Restore(checkpoint, Ledger.Signing.KeyEvents.Use(new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1) })));
        Assert.Equal(CheckpointProblem.StateHashMismatch, e.Problem);
        var at = e.Message.IndexOf("the rows hash to ", StringComparison.Ordinal) + "the rows hash to ".Length;
        return Hash32.Parse(e.Message.Substring(at, 64));
    }
}
