using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>The sync witnesses that must hold over every transport — the durability ladder, claims, recovery and
/// equivocation — written once against <see cref="RelayLinks"/>: <see cref="InMemorySyncWitnesses"/> runs them through the
/// in-memory transport, Ledger.Relay.Tests' HttpSyncWitnesses over HTTP to a Kestrel relay on loopback.</summary>
public abstract class SyncWitnesses
{
    private const string Origin = "relay.example/sync-test";

    private static SigningKey RelayKey => World.Key("relay", 0);

    private static NoteKey RelayVkey => NoteKey.Create(Origin, RelayKey.Public);

    /// <summary>The transport under test; each test disposes the links it made.</summary>
    protected abstract RelayLinks NewLinks();

    private static RelayOptions Options(string? origin = null, SigningKey? key = null, int maxRead = 4096) =>
        new() { Ledger = World.Ledger, Origin = origin, CheckpointKey = key, MaxRead = maxRead };

    private static Task<DeviceNode> NodeAsync(string label)
    {
        var options = World.Options();
        options.TrustedRelay = RelayVkey;
        return DeviceNode.InceptAsync(options, new InMemoryNodeStore(), World.Key(label, 0), label, World.Key(label, 1).Public.Digest);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task An_op_is_local_until_the_relay_acknowledges_it_then_durable_at_its_position()
    {
        await using var links = NewLinks();
        var relay = links.NewRelay(Options());
        var link = await links.ConnectAsync(relay);
        await using var node = await World.NewNodeAsync("till-1");
        var receipt = await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 5));
        Assert.Equal(DurabilityRung.Local, node.DurabilityOf(receipt.Op).Rung);
        Assert.False(node.DurabilityOf(receipt.Op).IsSafe);

        var offline = await node.SyncAsync(await links.UnreachableAsync());
        Assert.True(offline.Offline);
        Assert.Equal(DurabilityRung.Local, node.DurabilityOf(receipt.Op).Rung);

        await node.SyncAsync(link);
        var rung = node.DurabilityOf(receipt.Op);
        Assert.Equal(DurabilityRung.Durable, rung.Rung);
        Assert.Equal((await relay.Store.FindAsync(receipt.Op.Author, receipt.Op.Seq))!.Position, rung.Position);
        Assert.Equal(0, node.Durability().Local);
    }


    [Fact]
    [Trait("Risk", "A1")]
    public async Task A_lost_answer_leaves_the_op_unsafe_and_the_resend_gets_its_original_position()
    {
        await using var links = NewLinks();
        var relay = links.NewRelay(Options());
        var lose = true;
        var link = await links.ConnectAsync(relay, () => lose);
        await using var node = await World.NewNodeAsync("till-1");
        var receipt = await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 5));
        await node.SyncAsync(link);
        Assert.NotNull((await relay.Store.FindAsync(receipt.Op.Author, receipt.Op.Seq)));
        Assert.False(node.DurabilityOf(receipt.Op).IsSafe);
        lose = false;
        await node.SyncAsync(link);
        Assert.Equal((await relay.Store.FindAsync(receipt.Op.Author, receipt.Op.Seq))!.Position, node.DurabilityOf(receipt.Op).Position);
        Assert.Equal(2, relay.Size);
    }


    [Fact]
    [Trait("Risk", "D3")]
    public async Task Two_offline_tills_claiming_the_last_unit_end_one_won_one_lost_with_its_correction_on_every_node()
    {
        await using var links = NewLinks();
        var relay = links.NewRelay(Options());
        var link = await links.ConnectAsync(relay);
        await using var hq = await World.NewNodeAsync("hq");
        await using var a = await World.NewNodeAsync("till-a");
        await using var b = await World.NewNodeAsync("till-b");
        await hq.AppendAsync(TestManifest.V1, TestManifest.StockPool, new UnitsArgs(1, "last lamp"), claimKey: "sku:lamp");
        await hq.SyncAsync(link);
        // Both tills claim while offline; both see the claim pending, none sees an outcome.
        var claimA = await a.AppendAsync(TestManifest.V1, TestManifest.TakeUnit, new UnitsArgs(1, "order-a"), claimKey: "sku:lamp");
        var claimB = await b.AppendAsync(TestManifest.V1, TestManifest.TakeUnit, new UnitsArgs(1, "order-b"), claimKey: "sku:lamp");
        Assert.Equal(ApplyStatus.Pending, claimA.Fold.Status);
        Assert.Equal(ApplyStatus.Pending, claimB.Fold.Status);

        await b.SyncAsync(link);
        await a.SyncAsync(link);
        foreach (var node in new[] { hq, a, b }) await node.SyncAsync(link);
        Assert.Equal(DurabilityRung.Won, b.DurabilityOf(claimB.Op).Rung);
        Assert.Equal(DurabilityRung.Lost, a.DurabilityOf(claimA.Op).Rung);
        var hashes = new[] { hq, a, b }.Select(n => n.StateHash()).Distinct().ToArray();
        Assert.Single(hashes);
        var correction = Assert.Single(hq.Read(k => k.State.Rows(Tables.Backorders)));
        Assert.Equal(a.Author.Value, correction.Value.Author);
    }


    [Fact]
    [Trait("Risk", "A3")]
    public async Task A_wiped_device_recovers_its_whole_chain_from_a_relay_that_answers_in_pages_and_goes_on_without_forking()
    {
        var master = Hash32.Sha256("master secret of till-r"u8).ToArray();
        const string label = "till-r";
        await using var links = NewLinks();
        var relay = links.NewRelay(Options(maxRead: 7));
        var link = await links.ConnectAsync(relay);
        AuthorId author;
        await using (var lost = (await DeviceNode.InceptAsync(World.Options(), new InMemoryNodeStore(), AuthorRecovery.KeyAt(master, label, 0), label,
                         AuthorRecovery.KeyAt(master, label, 1).Public.Digest)))
        {
            for (var i = 0; i < 30; i++) await lost.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i));
            await lost.SyncAsync(link);
            author = lost.Author;
        }

        // Wrong secret: refused before anything is signed.
        await Assert.ThrowsAsync<RecoveryException>(() =>
            DeviceNode.RecoverAsync(World.Options(), new InMemoryNodeStore(), Hash32.Sha256("another secret"u8).ToArray(), author, link));

        // The relay hands out at most 7 ops per answer; recovery must still see all 31 and continue at seq 32.
        await using var recovered = await DeviceNode.RecoverAsync(World.Options(), new InMemoryNodeStore(), master, author, link);
        var next = await recovered.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 100));
        Assert.Equal(33UL, next.Signed.Op.Seq); // after 31 fetched ops and the rotation recovery signed
        await recovered.SyncAsync(link);
        Assert.Empty((await relay.GetEvidenceAsync()));
        await using var observer = await World.NewNodeAsync("till-o");
        await observer.SyncAsync(await links.ConnectAsync(relay));
        await recovered.SyncAsync(link);
        Assert.Equal(observer.StateHash(), recovered.StateHash());
        var chain = (await relay.FetchAuthorAsync(author, 1));
        Assert.Equal(7, chain.Count);
        var all = new List<SignedOp>();
        for (ulong from = 1; ; from = all[^1].Op.Seq + 1)
        {
            var page = (await relay.FetchAuthorAsync(author, from));
            if (page.Count == 0) break;
            all.AddRange(page.Select(p => SignedOpCodec.Decode(p.Bytes)));
        }

        Assert.Equal(33, all.Count); // inception, 30 ops, the rotation to key 1, one new op
        var report = ChainVerifier.Verify(World.Ledger, all);
        Assert.True(report.Ok, report.ToString());
        Assert.Equal(1u, report.Keys!.KeyIndex);
    }


    [Fact]
    [Trait("Risk", "D4")]
    [Trait("Risk", "G2")]
    public async Task A_relay_that_forks_its_order_for_one_device_is_detected_by_gossip_with_evidence_that_verifies_standalone()
    {
        await using var links = NewLinks();
        var fork = await ForkingRelay.CreateAsync(RelayKey, Origin, links);
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
    public async Task Ops_that_do_not_hash_to_the_relays_signed_checkpoint_are_rejected_and_nothing_is_stored()
    {
        await using var links = NewLinks();
        var relay = links.NewRelay(Options(Origin, RelayKey));
        var link = await links.ConnectAsync(relay);
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
    private sealed class SwappingTransport(IRelayProtocol inner) : ForwardingRelayProtocol
    {
        protected override IRelayProtocol Inner => inner;

        public override async Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
        {
            var r = await inner.PullAsync(fromPosition, max, cancellationToken);
            if (r.Ops.Count < 3) return r;
            var ops = r.Ops.ToArray();
            (ops[1], ops[2]) = ((ops[1].Position, ops[2].Bytes), (ops[2].Position, ops[1].Bytes));
            return r with { Ops = ops };
        }
    }
}
