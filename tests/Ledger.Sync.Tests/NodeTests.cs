using Ledger.Signing;
using Ledger.Kernel;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

public class NodeTests
{
    [Fact]
    [Trait("Risk", "A1")]
    public async Task A_critical_op_is_not_done_offline_and_is_done_after_reconnect()
    {
        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay) { Online = false };
        await using var node = await World.NewNodeAsync("till-1");
        var receipt = await node.AppendAsync(TestManifest.V1, TestManifest.PostSale, new SaleArgs("inv-1", "cash", 50_000), critical: true);
        for (var i = 0; i < 3; i++) await node.SyncAsync(link);
        Assert.False(receipt.Done.IsCompleted);

        link.Online = true;
        await node.SyncAsync(link);
        await receipt.Done.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(node.DurabilityOf(receipt.Op).IsSafe);
    }

    [Fact]
    [Trait("Risk", "D3")]
    public async Task A_relay_crashing_between_persisting_and_acknowledging_never_yields_two_winners()
    {
        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay);
        await using var hq = await World.NewNodeAsync("hq");
        await using var a = await World.NewNodeAsync("till-a");
        await using var b = await World.NewNodeAsync("till-b");
        await hq.AppendAsync(TestManifest.V1, TestManifest.StockPool, new UnitsArgs(1, "last"), claimKey: "sku:lamp");
        await hq.SyncAsync(link);
        var claimA = await a.AppendAsync(TestManifest.V1, TestManifest.TakeUnit, new UnitsArgs(1, "a"), claimKey: "sku:lamp");
        var claimB = await b.AppendAsync(TestManifest.V1, TestManifest.TakeUnit, new UnitsArgs(1, "b"), claimKey: "sku:lamp");

        // The relay persists a's claim, then dies before answering.
        var crashes = 1;
        relay.AfterPersist = _ =>
        {
            if (crashes-- > 0) throw new RelayUnavailableException("relay crashed after commit");
        };
        Assert.True((await a.SyncAsync(link)).Offline);
        Assert.False(a.DurabilityOf(claimA.Op).IsSafe);
        relay.AfterPersist = null;
        await b.SyncAsync(link);
        foreach (var node in new[] { a, b, hq, a, b }) await node.SyncAsync(link);

        var outcomes = new[] { a.DurabilityOf(claimA.Op).Rung, b.DurabilityOf(claimB.Op).Rung };
        Assert.Equal(1, outcomes.Count(o => o == DurabilityRung.Won));
        Assert.Equal(1, outcomes.Count(o => o == DurabilityRung.Lost));
        Assert.Equal(DurabilityRung.Won, outcomes[0]); // a's claim was committed first, even though its answer was lost
        Assert.Single(new[] { hq, a, b }.Select(n => n.StateHash()).Distinct());
    }

    [Fact]
    [Trait("Risk", "A1")]
    [Trait("Risk", "G1")]
    public async Task A_node_restarted_on_its_sqlite_store_resumes_its_chain_ladder_and_state()
    {
        var dir = World.TempDir();
        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay);
        Hash32 before;
        OpRef durable, local;
        await using (var node = await World.NewNodeAsync("till-1", new SqliteNodeStore(Path.Combine(dir, "node.db"))))
        {
            Assert.Equal((NodeStartPath.Incepted, 1), (node.Startup.Path, node.Startup.OpsFolded));
            durable = (await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 5))).Op;
            await node.SyncAsync(link);
            local = (await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 7))).Op;
            before = node.StateHash();
        }

        await using var restarted = await World.ReopenAsync("till-1", new SqliteNodeStore(Path.Combine(dir, "node.db")));
        Assert.Equal((NodeStartPath.Reopened, 3), (restarted.Startup.Path, restarted.Startup.OpsFolded)); // inception + two ops, all verified again
        Assert.True(restarted.Startup.Took > TimeSpan.Zero);
        Assert.Equal(before, restarted.StateHash());
        Assert.Equal(DurabilityRung.Durable, restarted.DurabilityOf(durable).Rung);
        Assert.Equal(DurabilityRung.Local, restarted.DurabilityOf(local).Rung);
        var next = await restarted.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        Assert.Equal(local.Seq + 1, next.Op.Seq);
        await restarted.SyncAsync(link);
        Assert.Equal(0, restarted.Durability().Local);
    }

    [Fact]
    [Trait("Risk", "B3")]
    public async Task Appends_over_the_store_cap_fail_loudly_and_leave_the_chain_and_books_whole()
    {
        var dir = World.TempDir();
        await using var node = await World.NewNodeAsync("till-1", new SqliteNodeStore(Path.Combine(dir, "node.db"), capBytes: 64 * 1024));
        var appended = 0;
        StorageFullException? full = null;
        for (var i = 0; i < 2000 && full is null; i++)
        {
            try
            {
                await node.AppendAsync(TestManifest.V1, TestManifest.PutNote, new NoteArgs("n" + i, new string('x', 200)));
                appended++;
            }
            catch (StorageFullException e)
            {
                full = e;
            }
        }

        Assert.NotNull(full);
        Assert.Contains("Nothing was written", full!.Message);
        var stored = (await node.Store.ReadAllAsync().ToListAsync());
        Assert.Equal(appended + 1, stored.Count);
        var chain = stored.Select(r => Ledger.Signing.SignedOpCodec.Decode(r.Bytes)).ToList();
        Assert.True(Ledger.Signing.ChainVerifier.Verify(World.Ledger, chain).Ok);
        // Refused again, cleanly, without corrupting the chain.
        await Assert.ThrowsAsync<StorageFullException>(() => node.AppendAsync(TestManifest.V1, TestManifest.PutNote, new NoteArgs("more", new string('x', 200))));
        Assert.Equal(appended + 1, (await node.Store.ReadAllAsync().ToListAsync()).Count);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task Many_concurrent_appends_share_commits_and_keep_one_gapless_chain()
    {
        await using var node = await World.NewNodeAsync("till-1", new SqliteNodeStore(Path.Combine(World.TempDir(), "node.db")));
        var receipts = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", i)))));
        Assert.Equal(Enumerable.Range(2, 200).Select(i => (ulong)i), receipts.Select(r => r.Op.Seq).Order());
        Assert.Equal((Int128)Enumerable.Range(0, 200).Sum(), node.Read(k => k.State.Get(Tables.Balances, "cash")));
    }

    [Fact]
    [Trait("Risk", "E2")]
    public async Task Args_built_from_the_ops_own_ref_name_the_op_that_carries_them_even_under_concurrent_appends()
    {
        await using var node = await World.NewNodeAsync("till-1");
        var receipts = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            OpRef promised = default;
            var receipt = await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, op =>
            {
                promised = op;
                return new AmountArgs("seq:" + op.Seq, i);
            });
            return (promised, receipt);
        })));
        Assert.All(receipts, r => Assert.Equal(r.promised, r.receipt.Op));
        Assert.Equal(Enumerable.Range(2, 64).Select(i => (ulong)i), receipts.Select(r => r.receipt.Op.Seq).Order());
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task An_append_whose_args_fail_to_build_fails_alone_and_takes_no_seq()
    {
        await using var node = await World.NewNodeAsync("till-1");
        var before = await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1));
        var failed = node.AppendAsync<AmountArgs>(TestManifest.V1, TestManifest.AddTally, _ => throw new InvalidOperationException("no such customer"));
        var after = await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 2));
        Assert.Equal("no such customer", (await Assert.ThrowsAsync<InvalidOperationException>(() => failed)).Message);
        Assert.Equal(before.Op.Seq + 1, after.Op.Seq);
        Assert.Equal((Int128)3, node.Read(k => k.State.Get(Tables.Balances, "cash")));
    }

    [Fact]
    [Trait("Risk", "A1")]
    public async Task Closing_a_node_while_appends_are_in_flight_ends_every_append_and_keeps_exactly_the_ones_it_reported()
    {
        var path = Path.Combine(World.TempDir(), "node.db");
        var node = await World.NewNodeAsync("till-1", new SqliteNodeStore(path));
        var appends = Enumerable.Range(0, 300).Select(i => Task.Run(() => node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 1)))).ToArray();
        await node.DisposeAsync();
        // Every append ends (none hangs): stored and reported, or refused because the node closed.
        var ended = await Task.WhenAll(appends.Select(async a =>
        {
            try
            {
                return (await a).Op.Seq;
            }
            catch (ObjectDisposedException)
            {
                return 0UL;
            }
        }));
        var reported = ended.Where(seq => seq != 0).Order().ToArray();
        Assert.Equal(Enumerable.Range(2, reported.Length).Select(i => (ulong)i), reported);
        await using var reopened = await World.ReopenAsync("till-1", new SqliteNodeStore(path));
        Assert.Equal((Int128)reported.Length, reopened.Read(k => k.State.Get(Tables.Balances, "cash")));
    }
}
