using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync.Conformance;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>Group commit (issue 22's PostgreSQL profile: pushes waited on the ledger's counter row and on one WAL flush
/// each): the pushes that wait for a relay's gate are ingested in one transaction, and each is answered exactly as it
/// would have been alone, in arrival order. The groups are made without timing: the first push is held inside its
/// commit (the store's BeforeCommit hook) until the others are queued behind the gate; the proof of grouping is the
/// store's count of ingest commits.</summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Pushes_from_many_authors_waiting_for_the_gate_are_stored_in_one_transaction_and_each_pusher_gets_its_own_answer()
    {
        var cs = PostgreSqlServer.CreateDatabase("group");
        try
        {
            using var store = new PostgreSqlRelayStore(cs, Fleet.Ledger);
            using var relay = new Relay(new RelayOptions { Ledger = Fleet.Ledger, CheckpointKey = Fleet.Key() }, store);
            var chains = Enumerable.Range(0, 9).Select(i => ConformanceOps.Chain("group-" + i, 2)).ToArray();
            var (holder, release) = await HoldTheGateAsync(relay, store, Bytes(chains[0]));

            var pushes = chains.Skip(1).Select(c => relay.PushAsync(Bytes(c))).ToArray();
            await QueuedAsync(relay, 8);
            release();
            var held = await holder.WaitAsync(Patience);
            var answers = await Task.WhenAll(pushes).WaitAsync(Patience);

            // The holder's commit and one for the eight pushes that waited (one each without group commit: 9).
            Assert.Equal(2, store.IngestCommits);
            Assert.Equal([0L, 1, 2], held.Results.Select(r => r.Position!.Value));
            var log = await store.ReadAsync(0, 100);
            Assert.Equal(27, log.Count);
            for (var k = 0; k < answers.Length; k++)
            {
                var chain = chains[k + 1];
                var answer = answers[k];
                // Its own ops, in its own order, at the positions it would have had alone after the pushes before it.
                Assert.Equal(chain.Select(o => (OpRef?)o.Ref), answer.Results.Select(r => r.Op));
                Assert.All(answer.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
                Assert.Equal(Enumerable.Range(3 + (3 * k), 3).Select(p => (long?)p), answer.Results.Select(r => r.Position));
                Assert.Equal(3 + (3 * (k + 1)), answer.RelaySize);
                Assert.Equal(new Dictionary<AuthorId, ulong> { [chain[0].Op.Author] = 4 }, answer.NextSeq);
                foreach (var r in answer.Results)
                {
                    var stored = log[(int)r.Position!.Value];
                    Assert.Equal(r.Op, new OpRef(stored.Author, stored.Seq));
                }
            }
        }
        finally
        {
            PostgreSqlServer.DropDatabase(cs);
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_group_holding_a_bad_op_a_resend_a_duplicate_a_gap_and_malformed_bytes_answers_each_push_as_a_relay_alone_would()
    {
        var a = ConformanceOps.Chain("group-a", 4);
        var b = ConformanceOps.Chain("group-b", 2);
        var c = ConformanceOps.Chain("group-c", 3);
        var d = ConformanceOps.Chain("group-d", 1);
        var forged = b[1].Bytes.ToArray();
        forged[^3] ^= 0x55;
        var garbage = new byte[120];
        new Random(7).NextBytes(garbage);
        ReadOnlyMemory<byte>[] first = [a[0].Bytes, a[1].Bytes];
        ReadOnlyMemory<byte>[][] members =
        [
            [a[2].Bytes, a[3].Bytes],                  // new ops of a stored author
            [b[0].Bytes, forged, b[2].Bytes],          // a bad signature (b's next op, chained to the genuine one, is refused too); b's inception accepted
            [a[0].Bytes, a[1].Bytes, c[0].Bytes, c[1].Bytes], // a resend of stored ops, and a new author
            [a[2].Bytes, a[4].Bytes],                  // a duplicate of an op an earlier member of the group holds, then the next op
            [b[1].Bytes, b[2].Bytes],                  // the genuine op after the forged one: accepted, as it would be alone
            [c[3].Bytes],                              // a gap: send from seq 3
            [garbage, d[0].Bytes, a[4].Bytes],         // malformed bytes beside a good inception, and a duplicate within the group
        ];

        // What a relay answers when the pushes come one after another, each alone.
        using var reference = new Relay(new RelayOptions { Ledger = Fleet.Ledger }, new InMemoryRelayStore());
        await reference.PushAsync(first);
        var alone = new List<IngestResponse>();
        foreach (var m in members) alone.Add(await reference.PushAsync(m));

        var cs = PostgreSqlServer.CreateDatabase("group");
        try
        {
            using var store = new PostgreSqlRelayStore(cs, Fleet.Ledger);
            using var relay = new Relay(new RelayOptions { Ledger = Fleet.Ledger }, store);
            var (holder, release) = await HoldTheGateAsync(relay, store, first);
            var pushes = new List<Task<IngestResponse>>();
            foreach (var m in members)
            {
                pushes.Add(relay.PushAsync(m));
                await QueuedAsync(relay, pushes.Count);
            }

            release();
            await holder.WaitAsync(Patience);
            var grouped = await Task.WhenAll(pushes).WaitAsync(Patience);

            Assert.Equal(2, store.IngestCommits);
            for (var k = 0; k < members.Length; k++)
            {
                Assert.Equal(alone[k].Results, grouped[k].Results);
                Assert.Equal(alone[k].RelaySize, grouped[k].RelaySize);
                Assert.Equal(alone[k].NextSeq!.OrderBy(p => p.Key.Value, StringComparer.Ordinal), grouped[k].NextSeq!.OrderBy(p => p.Key.Value, StringComparer.Ordinal));
            }

            // The statuses the comparison covers (so it cannot pass on a degenerate script).
            Assert.Equal(ChainBreak.BadSignature, grouped[1].Results[1].Break);
            Assert.Equal(IngestStatus.Refused, grouped[1].Results[2].Status);
            Assert.Equal([IngestStatus.Duplicate, IngestStatus.Duplicate], grouped[2].Results.Take(2).Select(r => r.Status));
            Assert.Equal(grouped[0].Results[0].Position, grouped[3].Results[0].Position);
            Assert.Equal(IngestStatus.Accepted, grouped[4].Results[0].Status);
            Assert.Equal(3UL, grouped[5].Results[0].SendFromSeq);
            Assert.Equal(IngestRefusal.Malformed, grouped[6].Results[0].Refusal);
            Assert.Equal(grouped[3].Results[1].Position, grouped[6].Results[2].Position);
            var log = await store.ReadAsync(0, 100);
            Assert.Equal((await reference.PullAsync(0)).Ops.Select(o => o.Bytes.ToArray()), log.Select(o => o.Bytes.ToArray()));
        }
        finally
        {
            PostgreSqlServer.DropDatabase(cs);
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_group_the_store_cap_refuses_is_ingested_member_by_member_so_the_push_that_fits_is_accepted()
    {
        var a = ConformanceOps.Chain("group-cap-a", 1);
        var b = ConformanceOps.Chain("group-cap-b", 1);
        var c = ConformanceOps.Chain("group-cap-c", 1);
        // Room for a's and b's ops, not for c's as well (the store prices an op as its bytes and a row allowance).
        long Price(IEnumerable<SignedOp> ops) => ops.Sum(o => o.Bytes.Length + 96L);
        var cap = Price(a) + Price(b) + (Price(c) / 2);
        var cs = PostgreSqlServer.CreateDatabase("group");
        try
        {
            using var store = new PostgreSqlRelayStore(cs, Fleet.Ledger, cap);
            using var relay = new Relay(new RelayOptions { Ledger = Fleet.Ledger }, store);
            var (holder, release) = await HoldTheGateAsync(relay, store, Bytes(a));
            var fits = relay.PushAsync(Bytes(b));
            await QueuedAsync(relay, 1);
            var overflows = relay.PushAsync(Bytes(c));
            await QueuedAsync(relay, 2);
            release();
            await holder.WaitAsync(Patience);

            // The group's one transaction is over the cap; alone, the first push fits and only the second is refused.
            var accepted = await fits.WaitAsync(Patience);
            Assert.All(accepted.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
            Assert.Equal([2L, 3], accepted.Results.Select(r => r.Position!.Value));
            Assert.All((await overflows.WaitAsync(Patience)).Results, r => Assert.Equal(IngestRefusal.StoreFull, r.Refusal));
            Assert.Equal(4, (await store.ReadAsync(0, 100)).Count);
        }
        finally
        {
            PostgreSqlServer.DropDatabase(cs);
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_group_takes_the_ops_another_instance_stored_since_this_one_cached_the_chain_and_answers_resends_with_their_positions()
    {
        var x = ConformanceOps.Chain("group-x", 4);
        var y = ConformanceOps.Chain("group-y", 1);
        var h = ConformanceOps.Chain("group-h", 1);
        var cs = PostgreSqlServer.CreateDatabase("group");
        try
        {
            using var store = new PostgreSqlRelayStore(cs, Fleet.Ledger);
            using var other = new PostgreSqlRelayStore(cs, Fleet.Ledger);
            using var relay = new Relay(new RelayOptions { Ledger = Fleet.Ledger }, store);
            Assert.Equal(0, (await relay.PushAsync([x[0].Bytes])).Results[0].Position);
            // The other instance stores x's next two ops: this relay's cached chain of x is now behind the store.
            Assert.Equal(1, await other.AppendSequencedAsync(ConformanceOps.Stored(x.Skip(1).Take(2).ToArray(), 0)));

            var (holder, release) = await HoldTheGateAsync(relay, store, Bytes(h));
            var next = relay.PushAsync([x[3].Bytes, x[4].Bytes]);
            await QueuedAsync(relay, 1);
            var resend = relay.PushAsync([x[1].Bytes, y[0].Bytes]);
            await QueuedAsync(relay, 2);
            release();
            Assert.Equal([3L, 4], (await holder.WaitAsync(Patience)).Results.Select(r => r.Position!.Value));

            var taken = await next.WaitAsync(Patience);
            Assert.Equal([5L, 6], taken.Results.Select(r => r.Position!.Value));
            Assert.Equal(6UL, taken.NextSeq![x[0].Op.Author]);
            var again = await resend.WaitAsync(Patience);
            Assert.Equal(IngestStatus.Duplicate, again.Results[0].Status);
            Assert.Equal(1, again.Results[0].Position);
            Assert.Equal(IngestStatus.Accepted, again.Results[1].Status);
            Assert.Equal(7, again.Results[1].Position);
            Assert.Equal(3, store.IngestCommits);
        }
        finally
        {
            PostgreSqlServer.DropDatabase(cs);
        }
    }

    private static ReadOnlyMemory<byte>[] Bytes(IEnumerable<SignedOp> ops) => ops.Select(o => o.Bytes).ToArray();

    // Starts a push and holds it inside its ingest transaction (the counter row locked, before the commit), so the
    // pushes started next queue behind the relay's gate; the returned action lets it commit.
    private static async Task<(Task<IngestResponse> Push, Action Release)> HoldTheGateAsync(Relay relay, PostgreSqlRelayStore store, ReadOnlyMemory<byte>[] batch)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BeforeCommit = async _ =>
        {
            store.BeforeCommit = null;
            entered.TrySetResult();
            await release.Task.ConfigureAwait(false);
        };
        var push = relay.PushAsync(batch);
        await entered.Task.WaitAsync(Patience);
        return (push, () => release.TrySetResult());
    }

    // Waits until that many pushes wait for the gate (a condition, not a delay: the witness never depends on timing).
    private static async Task QueuedAsync(Relay relay, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (relay.Groups.Waiting < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{relay.Groups.Waiting} pushes queued, {count} expected");
            await Task.Delay(5);
        }
    }
}
