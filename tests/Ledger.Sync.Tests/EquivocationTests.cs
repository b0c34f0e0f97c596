using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>A relay that shows different orders to different devices is caught and named, with evidence anyone
/// can check; an honest relay is never accused.</summary>
public class EquivocationTests
{
    private const string Origin = "relay.example/sync-test";

    private static SigningKey RelayKey => World.Key("relay", 0);

    private static NoteKey RelayVkey => NoteKey.Create(Origin, RelayKey.Public);

    private static Relay HonestRelay() => new(new RelayOptions { Ledger = World.Ledger, Origin = Origin, CheckpointKey = RelayKey }, new InMemoryRelayStore());

    private static Task<DeviceNode> NodeAsync(string label)
    {
        var options = World.Options();
        options.TrustedRelay = RelayVkey;
        return DeviceNode.InceptAsync(options, new InMemoryNodeStore(), World.Key(label, 0), label, World.Key(label, 1).Public.Digest);
    }

    [Fact]
    [Trait("Risk", "D4")]
    [Trait("Risk", "G2")]
    public async Task A_relay_that_forks_its_order_for_one_device_is_detected_by_gossip_with_evidence_that_verifies_standalone()
    {
        var fork = new ForkingRelay(RelayKey, Origin);
        var gossip = new PeerGossip();
        await using var a = await NodeAsync("till-a");
        await using var b = await NodeAsync("till-b");
        gossip.Join(a);
        gossip.Join(b);
        var toA = fork.TransportFor("A");
        var toB = fork.TransportFor("B");

        await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        await b.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 2));
        // Each device alone sees a consistent, validly signed log; A syncs first and suspects nothing.
        await a.SyncAsync(toA);
        Assert.Null(a.FrozenBecause);
        // B's view of the same relay, gossiped, contradicts A's: whoever compares first catches the relay.
        var error = await Record.ExceptionAsync(async () =>
        {
            await b.SyncAsync(toB);
            await a.SyncAsync(toA);
        });
        Assert.True(error is RelayFrozenException, $"expected the relay to be frozen; got {error} / a: {a.FrozenBecause} / b: {b.FrozenBecause}");

        var accusers = new List<DeviceNode>();
        foreach (var n in new[] { a, b }) if ((await n.GetEvidenceAsync()).Count > 0) accusers.Add(n);
        Assert.True(accusers.Count > 0, $"no evidence; a: {a.FrozenBecause} / b: {b.FrozenBecause}");
        var evidence = (await accusers[0].GetEvidenceAsync()).Single();
        var standalone = EvidenceCodec.Decode(evidence.Encode());
        var verdict = standalone.Verify();
        Assert.True(verdict.Valid, verdict.Finding);
        Assert.Equal("split-view", standalone.Kind);
        Assert.Equal(RelayVkey.ToVkey(), standalone.Accused);
        Assert.Contains(Origin, verdict.Finding);
        // The node stops trusting that relay, and says so in its health (risk G2).
        await Assert.ThrowsAsync<RelayFrozenException>(() => accusers[0].SyncAsync(toA));
        var health = accusers[0].Health();
        Assert.Equal(HealthSeverity.Critical, health.Worst);
        Assert.Contains(health.Findings, f => f.Code == HealthCodes.RelayFrozen && f.Severity == HealthSeverity.Critical);
        Assert.Contains(health.Findings, f => f.Code == HealthCodes.Evidence && f.Message.Contains("1 split-view", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Every_honest_relay_schedule_produces_no_evidence()
    {
        var steps = Gen.Zip(Gen.Choose(0, 2), Gen.Choose(0, 3)).ListOf(30);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), Prop.ForAll(Arb.From(steps), plan => HonestSchedule(plan).GetAwaiter().GetResult()));
    }

    private static async Task HonestSchedule(IReadOnlyList<(int Node, int Action)> plan)
    {
        var relay = HonestRelay();
        var link = new InMemoryRelayTransport(relay);
        var gossip = new PeerGossip();
        var nodes = new[] { await NodeAsync("till-0"), await NodeAsync("till-1"), await NodeAsync("till-2") };
        foreach (var n in nodes) gossip.Join(n);
        foreach (var (n, action) in plan)
        {
            switch (action)
            {
                case 0:
                case 1:
                    await nodes[n].AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
                    break;
                case 2:
                    await nodes[n].SyncAsync(link);
                    break;
                case 3:
                    if ((await relay.GetCheckpointAsync()) is { } note) await nodes[n].OfferCheckpointAsync(note, link);
                    break;
            }
        }

        foreach (var n in nodes) await n.SyncAsync(link);
        foreach (var n in nodes) await n.SyncAsync(link);
        foreach (var n in nodes) Assert.Empty(await n.GetEvidenceAsync());
        Assert.All(nodes, n => Assert.Null(n.FrozenBecause));
        Assert.Single(nodes.Select(n => n.StateHash()).Distinct());
        Assert.Single(nodes.Select(n => n.WitnessedCheckpoint!.Root).Distinct());
        foreach (var n in nodes) await n.DisposeAsync();
    }

    [Fact]
    [Trait("Risk", "D4")]
    public async Task A_rollback_to_an_older_checkpoint_is_refused()
    {
        var relay = HonestRelay();
        var link = new InMemoryRelayTransport(relay);
        await using var node = await NodeAsync("till-a");
        await node.SyncAsync(link);
        var old = (await relay.GetCheckpointAsync())!;
        for (var i = 0; i < 5; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
        await node.SyncAsync(link);
        var witnessed = node.WitnessedCheckpoint!;
        Assert.Equal(relay.Size, witnessed.Size);

        var verdict = await node.OfferCheckpointAsync(old, link);
        Assert.Equal(CheckpointStatus.Refused, verdict.Status);
        Assert.Contains("rollback", verdict.Reason);
        Assert.Equal(witnessed, node.WitnessedCheckpoint);
        Assert.Empty((await node.GetEvidenceAsync()));
    }

    [Fact]
    [Trait("Risk", "D4")]
    public async Task Concurrent_checkpoint_updates_never_move_the_witness_back()
    {
        var relay = HonestRelay();
        var link = new InMemoryRelayTransport(relay);
        await using var writer = await NodeAsync("till-w");
        var notes = new List<byte[]>();
        for (var i = 0; i < 30; i++)
        {
            await writer.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
            await writer.SyncAsync(link);
            notes.Add((await relay.GetCheckpointAsync())!);
        }

        await using var witness = await NodeAsync("till-r");
        await witness.SyncAsync(link);
        var shuffled = notes.OrderBy(n => n.GetHashCode()).ToArray();
        await Task.WhenAll(shuffled.Select(n => Task.Run(() => witness.OfferCheckpointAsync(n, link))));
        Assert.Equal(relay.Size, witness.WitnessedCheckpoint!.Size);
    }

    [Fact]
    [Trait("Risk", "D4")]
    public async Task Ops_that_do_not_hash_to_the_relays_signed_checkpoint_are_rejected_and_nothing_is_stored()
    {
        var relay = HonestRelay();
        var link = new InMemoryRelayTransport(relay);
        await using var writer = await NodeAsync("till-w");
        for (var i = 0; i < 3; i++) await writer.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
        await writer.SyncAsync(link);
        await using var reader = await NodeAsync("till-r");
        var lying = new SwappingTransport(link);
        await Assert.ThrowsAsync<SyncException>(() => reader.SyncAsync(lying));
        Assert.Single((await reader.Store.ReadAllAsync().ToListAsync())); // only its own inception
        Assert.Equal(0, reader.Store.Cursor);
        await reader.SyncAsync(link);
        await writer.SyncAsync(link);
        Assert.Equal(writer.StateHash(), reader.StateHash());
    }

    /// <summary>Serves the relay's ops with the first two swapped (both validly signed), under the relay's real checkpoint.</summary>
    private sealed class SwappingTransport(InMemoryRelayTransport inner) : IRelayProtocol
    {
        public Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default) => inner.PushAsync(batch, cancellationToken);

        public async Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
        {
            var r = await inner.PullAsync(fromPosition, max, cancellationToken);
            if (r.Ops.Count < 3) return r;
            var ops = r.Ops.ToArray();
            (ops[1], ops[2]) = ((ops[1].Position, ops[2].Bytes), (ops[2].Position, ops[1].Bytes));
            return r with { Ops = ops };
        }

        public Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default) => inner.FetchAuthorAsync(author, fromSeq, cancellationToken);

        public Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default) => inner.GetCheckpointAsync(size, cancellationToken);

        public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) => inner.GetConsistencyProofAsync(size1, size2, cancellationToken);

        public Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) => inner.GetInclusionProofAsync(index, size, cancellationToken);

        public Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) => inner.PostCosignatureAsync(note, cancellationToken);

        public Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default) => inner.GetCosignaturesAsync(cancellationToken);
    }
}

/// <summary>A dishonest relay (test double): two honest relay instances sharing one key and origin, each fed
/// every op, but device B's in a different order — so A and B each see a consistent, signed, different log.</summary>
internal sealed class ForkingRelay
{
    private readonly Relay _forA;
    private readonly Relay _forB;
    private readonly List<ReadOnlyMemory<byte>[]> _pendingForB = [];

    public ForkingRelay(SigningKey key, string origin)
    {
        _forA = new Relay(new RelayOptions { Ledger = World.Ledger, Origin = origin, CheckpointKey = key }, new InMemoryRelayStore());
        _forB = new Relay(new RelayOptions { Ledger = World.Ledger, Origin = origin, CheckpointKey = key }, new InMemoryRelayStore());
    }

    public IRelayProtocol TransportFor(string device) => device == "A" ? new Link(this, forB: false) : new Link(this, forB: true);

    // Each view is reached through the wire codec, as an honest relay is: the dishonesty is in the order, not the bytes.
    private sealed class Link(ForkingRelay fork, bool forB) : IRelayProtocol
    {
        private readonly InMemoryRelayTransport _view = new(forB ? fork._forB : fork._forA);

        public async Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default)
        {
            if (forB)
            {
                // B's ops go first to B's view; A's view gets them right away too, but B's view gets A's ops late.
                var response = await _view.PushAsync(batch, cancellationToken);
                await fork._forA.PushAsync(batch);
                return response;
            }

            var own = await _view.PushAsync(batch, cancellationToken);
            fork._pendingForB.Add(batch.ToArray());
            return own;
        }

        public async Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
        {
            if (forB && fromPosition > 0)
            {
                foreach (var pending in fork._pendingForB) await fork._forB.PushAsync(pending);
                fork._pendingForB.Clear();
            }

            return await _view.PullAsync(fromPosition, max, cancellationToken);
        }

        public Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default) =>
            _view.FetchAuthorAsync(author, fromSeq, cancellationToken);

        public Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default) => _view.GetCheckpointAsync(size, cancellationToken);

        public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) =>
            _view.GetConsistencyProofAsync(size1, size2, cancellationToken);

        public Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) =>
            _view.GetInclusionProofAsync(index, size, cancellationToken);

        public Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) => _view.PostCosignatureAsync(note, cancellationToken);

        public Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default) => _view.GetCosignaturesAsync(cancellationToken);
    }
}
