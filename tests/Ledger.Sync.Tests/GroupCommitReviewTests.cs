using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync.Tests;

/// <summary>An adversarial review of the relay's group commit (Relay.Group.cs): every push that waited for the gate
/// and was stored in one transaction with others must be answered exactly as a relay fed the same pushes one by one
/// answers it; a pusher that gives up, a store that fails half way through the group, an evidence write that fails
/// after the commit, or the relay disposed while pushes wait must cost no neighbour, half-write nothing and never
/// answer "not stored" for what is stored. Groups are made without timing: the gate is held inside a push's append
/// or its AfterPersist until the pushes after it are queued (the relay's queue is observed, never slept on).</summary>
public sealed class GroupCommitReviewTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static ReadOnlyMemory<byte>[] Bytes(IEnumerable<SignedOp> ops) => ops.Select(o => o.Bytes).ToArray();

    /// <summary>An author's chain; the same label and another <paramref name="tag"/> give the same inception and other
    /// ops from seq 2 on (a fork); <paramref name="rotateAt"/> makes that op a key rotation (later ops signed with key 1).</summary>
    private static List<SignedOp> Chain(string label, int ops, string tag = "k", int rotateAt = -1) => GroupPushScript.Chain(World.Ledger, label, ops, tag, rotateAt);

    private static async Task QueuedAsync(Relay relay, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (relay.Groups.Waiting != count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{relay.Groups.Waiting} pushes queued, {count} expected");
            await Task.Delay(2);
        }
    }

    // Holds the next append of the store until the returned source is set; the task completes when the append is entered.
    private static (Task Entered, TaskCompletionSource Release) HoldNextAppend(SteeredRelayStore store)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BeforeAppend = async _ =>
        {
            store.BeforeAppend = null;
            entered.TrySetResult();
            await release.Task.ConfigureAwait(false);
        };
        return (entered.Task, release);
    }

    private static void SameAnswer(IngestResponse alone, IngestResponse grouped, string what)
    {
        Assert.True(alone.Results.SequenceEqual(grouped.Results), $"{what}: alone {Show(alone)}\n grouped {Show(grouped)}");
        Assert.True(alone.RelaySize == grouped.RelaySize, $"{what}: size alone {alone.RelaySize}, grouped {grouped.RelaySize}");
        Assert.Equal(Sorted(alone.NextSeq), Sorted(grouped.NextSeq));

        static string Show(IngestResponse r) => string.Join("; ", r.Results.Select(x => $"{x.Op} {x.Status} {x.Position} {x.Refusal} {x.Break} {x.SendFromSeq} {x.Detail}"));
        static List<(string, ulong)> Sorted(IReadOnlyDictionary<AuthorId, ulong>? next) =>
            next is null ? [] : next.Select(p => (p.Key.Value, p.Value)).OrderBy(p => p.Item1, StringComparer.Ordinal).ToList();
    }

    private static async Task SameLogAsync(Relay alone, Relay grouped)
    {
        var a = (await alone.PullAsync(0)).Ops;
        var g = (await grouped.PullAsync(0)).Ops;
        Assert.Equal(a.Select(o => o.Position), g.Select(o => o.Position));
        Assert.Equal(a.Select(o => Convert.ToHexString(o.Bytes.Span)), g.Select(o => Convert.ToHexString(o.Bytes.Span)));
        Assert.Equal((await alone.GetEvidenceAsync()).Select(e => Convert.ToHexString(e.Encode())), (await grouped.GetEvidenceAsync()).Select(e => Convert.ToHexString(e.Encode())));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_pusher_that_gives_up_while_its_group_is_being_stored_gets_the_answer_of_its_stored_ops_not_a_cancellation()
    {
        var store = new SteeredRelayStore(new InMemoryRelayStore());
        using var relay = World.NewRelay(store);
        var (h, b, c) = (Chain("gone-h", 1), Chain("gone-b", 1), Chain("gone-c", 1));
        var (holding, releaseHolder) = HoldNextAppend(store);
        var holder = relay.PushAsync(Bytes(h));
        await holding.WaitAsync(Patience);
        var pushB = relay.PushAsync(Bytes(b));
        using var giveUp = new CancellationTokenSource();
        var pushC = relay.PushAsync(Bytes(c), giveUp.Token);
        await QueuedAsync(relay, 2);

        // The group's own append is held too; C's pusher gives up while its ops are in that transaction.
        var (storing, releaseGroup) = HoldNextAppend(store);
        releaseHolder.TrySetResult();
        await holder.WaitAsync(Patience);
        await storing.WaitAsync(Patience);
        giveUp.Cancel();
        // The pusher's cancellation takes effect on the thread pool: a fixed relay answers C whatever this wait, one
        // that answers a cancellation does so within it.
        await Task.WhenAny(pushC, Task.Delay(TimeSpan.FromMilliseconds(500)));
        releaseGroup.TrySetResult();

        // A cancellation here would read as "not stored" while C's ops are stored: C gets its real answer.
        var answerC = await pushC.WaitAsync(Patience);
        Assert.Equal([4L, 5], answerC.Results.Select(r => r.Position!.Value));
        Assert.All(answerC.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
        Assert.Equal([2L, 3], (await pushB.WaitAsync(Patience)).Results.Select(r => r.Position!.Value));
        Assert.Equal(1, relay.Groups.Groups);
        var log = await store.ReadAsync(0, 100);
        Assert.Equal(c.Select(o => o.Ref), log.Skip(4).Select(o => new OpRef(o.Author, o.Seq)));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_pusher_that_gives_up_while_queued_stores_nothing_costs_its_neighbours_nothing_and_leaks_no_gate()
    {
        var store = new SteeredRelayStore(new InMemoryRelayStore());
        using var relay = World.NewRelay(store);
        var (h, b, c, d) = (Chain("queued-h", 1), Chain("queued-b", 1), Chain("queued-c", 1), Chain("queued-d", 1));
        var (holding, releaseHolder) = HoldNextAppend(store);
        var holder = relay.PushAsync(Bytes(h));
        await holding.WaitAsync(Patience);
        var pushB = relay.PushAsync(Bytes(b));
        using var giveUp = new CancellationTokenSource();
        var pushC = relay.PushAsync(Bytes(c), giveUp.Token);
        var pushD = relay.PushAsync(Bytes(d));
        await QueuedAsync(relay, 3);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pushC.WaitAsync(Patience));
        await QueuedAsync(relay, 2);
        releaseHolder.TrySetResult();
        await holder.WaitAsync(Patience);

        // B and D: one group, gapless after the holder; C: nothing of it held.
        Assert.Equal([2L, 3], (await pushB.WaitAsync(Patience)).Results.Select(r => r.Position!.Value));
        Assert.Equal([4L, 5], (await pushD.WaitAsync(Patience)).Results.Select(r => r.Position!.Value));
        Assert.Equal(1, relay.Groups.Groups);
        Assert.Null(await store.GetTipAsync(c[0].Op.Author));
        Assert.Equal(6, store.Count);

        // The gate is free and C's chain untouched: its resend is accepted next, reads still work.
        Assert.Equal([6L, 7], (await relay.PushAsync(Bytes(c)).WaitAsync(Patience)).Results.Select(r => r.Position!.Value));
        Assert.Equal(8, (await relay.PullAsync(0).WaitAsync(Patience)).RelaySize);
        Assert.Equal(0, relay.Groups.Waiting);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Disposing_the_relay_while_pushes_wait_for_its_gate_fails_them_at_once_typed_and_still_answers_the_push_being_stored()
    {
        var store = new SteeredRelayStore(new InMemoryRelayStore());
        var relay = World.NewRelay(store);
        var (h, b, c) = (Chain("dispose-h", 1), Chain("dispose-b", 1), Chain("dispose-c", 1));
        var (holding, releaseHolder) = HoldNextAppend(store);
        var holder = relay.PushAsync(Bytes(h));
        await holding.WaitAsync(Patience);
        var pushB = relay.PushAsync(Bytes(b));
        var pushC = relay.PushAsync(Bytes(c));
        await QueuedAsync(relay, 2);

        relay.Dispose();

        // Not left waiting for a gate that will never be given (a disposed semaphore wakes no waiter).
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pushB.WaitAsync(TimeSpan.FromSeconds(20)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pushC.WaitAsync(TimeSpan.FromSeconds(20)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => relay.PushAsync(Bytes(c)).WaitAsync(TimeSpan.FromSeconds(20)));

        // The push inside the store when the relay was disposed is stored: it is told so, not given an exception.
        releaseHolder.TrySetResult();
        var held = await holder.WaitAsync(Patience);
        Assert.Equal([0L, 1], held.Results.Select(r => r.Position!.Value));
        Assert.Equal(2, store.Count);
        Assert.Null(await store.GetTipAsync(b[0].Op.Author));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task An_evidence_write_failing_after_the_groups_commit_answers_every_member_with_the_stores_error_as_alone_and_loses_no_evidence()
    {
        var store = new SteeredRelayStore(new InMemoryRelayStore());
        using var relay = World.NewRelay(store);
        var x = Chain("evidence-x", 2);
        var forkOfX = Chain("evidence-x", 2, tag: "other");
        var (h, c) = (Chain("evidence-h", 1), Chain("evidence-c", 1));
        Assert.All((await relay.PushAsync(Bytes(x))).Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));

        var (holding, releaseHolder) = HoldNextAppend(store);
        var holder = relay.PushAsync(Bytes(h));
        await holding.WaitAsync(Patience);
        var pushFork = relay.PushAsync([forkOfX[1].Bytes]);
        var pushC = relay.PushAsync(Bytes(c));
        await QueuedAsync(relay, 2);
        // The database goes away between the group's commit and its evidence write.
        store.EvidenceFails = true;
        releaseHolder.TrySetResult();
        await holder.WaitAsync(Patience);

        // Alone, each push's evidence flush meets the same error (the fork's evidence still waits): a 503 each, the
        // ops may be stored. Never "a push waiting for the gate was in no group".
        await Assert.ThrowsAsync<StoreUnavailableException>(() => pushFork.WaitAsync(Patience));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => pushC.WaitAsync(Patience));
        Assert.Equal(c.Select(o => o.Ref), (await store.ReadAsync(0, 100)).Skip(5).Select(o => new OpRef(o.Author, o.Seq)));

        // Back: the relay goes on, the resend is a duplicate at the position it got, and the fork's evidence is kept.
        store.EvidenceFails = false;
        var again = await relay.PushAsync(Bytes(c)).WaitAsync(Patience);
        Assert.Equal([5L, 6], again.Results.Select(r => r.Position!.Value));
        Assert.All(again.Results, r => Assert.Equal(IngestStatus.Duplicate, r.Status));
        Assert.Single(await relay.GetEvidenceAsync(), e => e is ClientForkEvidence);
        Assert.Single(await store.ReadEvidenceAsync());
        Assert.Equal(0, relay.Groups.Waiting);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_sqlite_store_failing_in_the_middle_of_a_groups_transaction_keeps_none_of_it_and_each_push_is_then_answered_as_alone()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        var (h, a, poisoned, c) = (Chain("mid-h", 1), Chain("mid-a", 1), Chain("mid-p", 1), Chain("mid-c", 1));
        using var store = new SqliteRelayStore(path);
        using var relay = World.NewRelay(store);
        using var reference = World.NewRelay();

        // A real failure inside the store's transaction: a trigger refuses the rows of one author, after the rows of
        // the member before it were inserted in the same transaction.
        var trigger = $"CREATE TRIGGER poison BEFORE INSERT ON log WHEN NEW.author = '{poisoned[0].Op.Author.Value}' BEGIN SELECT RAISE(ABORT, 'poisoned author (test)'); END;";
        Sql(path, trigger);

        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        relay.AfterPersist = _ =>
        {
            relay.AfterPersist = null;
            entered.TrySetResult();
            release.Wait(Patience);
        };
        var holder = Task.Run(() => relay.PushAsync(Bytes(h)));
        await entered.Task.WaitAsync(Patience);
        var pushA = relay.PushAsync(Bytes(a));
        var pushP = relay.PushAsync(Bytes(poisoned));
        var pushC = relay.PushAsync(Bytes(c));
        await QueuedAsync(relay, 3);
        release.Set();

        await holder.WaitAsync(Patience);
        await reference.PushAsync(Bytes(h));
        SameAnswer(await reference.PushAsync(Bytes(a)), await pushA.WaitAsync(Patience), "a");
        // A trigger this store never makes: the file was changed under it — damage, typed, naming the store.
        var damaged = await Assert.ThrowsAsync<StoreDamagedException>(() => pushP.WaitAsync(Patience));
        Assert.Contains("constraint or trigger", damaged.Message, StringComparison.Ordinal);
        SameAnswer(await reference.PushAsync(Bytes(c)), await pushC.WaitAsync(Patience), "c");
        Assert.Equal(0, relay.Groups.Groups);

        // Nothing half-stored: the log, and the tree the store extends in the same transaction, are the reference's.
        await SameLogAsync(reference, relay);
        Assert.Equal(await reference.GetRootAsync(6), await relay.GetRootAsync(6));

        // The store recovers and the relay goes on from there.
        Sql(path, "DROP TRIGGER poison;");
        SameAnswer(await reference.PushAsync(Bytes(poisoned)), await relay.PushAsync(Bytes(poisoned)), "p again");
        Assert.Equal(await reference.GetRootAsync(8), await relay.GetRootAsync(8));
        await SameLogAsync(reference, relay);

        static void Sql(string path, string sql)
        {
            using var db = new SqliteConnection($"Data Source={path};Pooling=False");
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_group_of_one_authors_racing_batches_resends_a_fork_of_a_pending_op_a_rotation_and_bad_input_is_answered_as_one_at_a_time()
    {
        var a = Chain("script-a", 6, rotateAt: 2); // a[3] (seq 4) rotates to key 1; a[4] on are signed with it
        var forkOfA = Chain("script-a", 6, tag: "other", rotateAt: 2);
        var b = Chain("script-b", 3);
        var forged = b[2].Bytes.ToArray();
        forged[^3] ^= 0x55;
        var garbage = new byte[90];
        new Random(11).NextBytes(garbage);
        ReadOnlyMemory<byte>[][] members =
        [
            [a[0].Bytes, a[1].Bytes],                   // a till's first batch
            [a[2].Bytes, a[3].Bytes],                   // its next batch racing the first (chained on pending ops), ending in a rotation
            [a[0].Bytes, a[1].Bytes],                   // the till resending its first batch: duplicates of pending ops
            [forkOfA[2].Bytes],                         // another op at a pending (author, seq): a fork, kept as evidence
            [a[4].Bytes, a[5].Bytes],                   // ops under the key a pending rotation named
            [a[6].Bytes, a[5].Bytes],                   // the next one, and a repeat of a pending op
            [b[0].Bytes, b[1].Bytes, forged, b[3].Bytes], // a bad signature: b's tail refused, its head accepted
            [b[2].Bytes, b[3].Bytes],                   // the genuine op after the forged one
            [garbage, b[3].Bytes],                      // malformed bytes beside a duplicate
            [],                                         // an empty push
        ];

        foreach (var sqlite in new[] { false, true })
        {
            using var reference = World.NewRelay();
            IRelayStore store = sqlite ? new SqliteRelayStore(Path.Combine(World.TempDir(), "relay.db")) : new InMemoryRelayStore();
            using var relay = World.NewRelay(store);
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var release = new ManualResetEventSlim();
            relay.AfterPersist = _ =>
            {
                relay.AfterPersist = null;
                entered.TrySetResult();
                release.Wait(Patience);
            };
            var h = Chain("script-h", 0);
            var holder = Task.Run(() => relay.PushAsync(Bytes(h)));
            await entered.Task.WaitAsync(Patience);
            var pushes = new List<Task<IngestResponse>>();
            foreach (var m in members)
            {
                pushes.Add(relay.PushAsync(m));
                await QueuedAsync(relay, pushes.Count);
            }

            release.Set();
            SameAnswer(await reference.PushAsync(Bytes(h)), await holder.WaitAsync(Patience), "holder");
            var grouped = await Task.WhenAll(pushes).WaitAsync(Patience);
            for (var k = 0; k < members.Length; k++) SameAnswer(await reference.PushAsync(members[k]), grouped[k], $"member {k} (sqlite: {sqlite})");
            Assert.Equal(1, relay.Groups.Groups);
            await SameLogAsync(reference, relay);

            // The script reaches what it claims: a fork, ops under the rotated key, a bad signature, a malformed op.
            Assert.Equal(IngestRefusal.Fork, grouped[3].Results[0].Refusal);
            Assert.All(grouped[4].Results.Concat(grouped[5].Results.Take(1)), r => Assert.Equal(IngestStatus.Accepted, r.Status));
            Assert.Equal(ChainBreak.BadSignature, grouped[6].Results[2].Break);
            Assert.Equal(IngestRefusal.Malformed, grouped[8].Results[0].Refusal);
            Assert.Equal([IngestStatus.Duplicate, IngestStatus.Duplicate], grouped[2].Results.Select(r => r.Status));
            store.Dispose();
        }
    }

    /// <summary>Random scripts of pushes (next batches, resends, gaps, forks, forged and malformed ops, several authors in
    /// one batch, oversized and empty batches, pushers that give up while queued) through group commit, in random
    /// groups bounded by a small batch cap: every answer, the log in its order and the evidence equal a relay's fed
    /// the same pushes one at a time. CI runs a bounded number of cases; LEDGER_GROUP_FUZZ_CASES=N runs more.</summary>
    [Fact]
    [Trait("Risk", "G1")]
    public async Task Random_scripts_through_group_commit_end_with_the_answers_log_and_evidence_of_one_at_a_time_ingest()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_GROUP_FUZZ_CASES"), out var n) && n > 0 ? n : 24;
        long groups = 0;
        for (var seed = 1; seed <= cases; seed++)
        {
            var sqlite = seed % 4 == 0;
            IRelayStore store = sqlite ? new SqliteRelayStore(Path.Combine(World.TempDir(), "relay.db")) : new InMemoryRelayStore();
            using (store)
            {
                groups += await RunScriptAsync(seed, store);
            }
        }

        // The cases formed groups (a run where every push went alone would prove nothing).
        Assert.True(groups >= cases, $"{groups} groups in {cases} cases");
    }

    /// <summary>Tills pushing at once, without any hold: each sends its chain in small batches, its next batch racing the
    /// previous one, resends, and a forged op now and then, while a forger sends other ops at held seqs. Whatever the
    /// groups, the log is gapless, each author's ops stand in seq order, every op answered held is at the position it
    /// was told, a resend of everything after the run is answered held at those positions, and forks are kept as
    /// evidence. LEDGER_GROUP_FUZZ_CASES=N runs more rounds.</summary>
    [Fact]
    [Trait("Risk", "G1")]
    public async Task Tills_racing_their_own_batches_through_group_commit_leave_a_gapless_log_in_a_legal_order_and_every_answer_true()
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_GROUP_FUZZ_CASES"), out var n) && n > 0 ? Math.Max(1, n / 8) : 5;
        for (var round = 0; round < rounds; round++)
        {
            using var store = new SqliteRelayStore(Path.Combine(World.TempDir(), "relay.db"));
            using var relay = new Relay(new RelayOptions { Ledger = World.Ledger, MaxBatch = 16 }, store);
            var chains = Enumerable.Range(0, 6).Select(i => Chain($"race{round}-{i}", 12)).ToArray();
            var forks = Enumerable.Range(0, 6).Select(i => Chain($"race{round}-{i}", 12, tag: "other")).ToArray();
            var told = new System.Collections.Concurrent.ConcurrentBag<(OpRef Op, long Position, byte[] Bytes)>();
            var forkSent = new System.Collections.Concurrent.ConcurrentBag<OpRef>();

            async Task Record(Task<IngestResponse> push, ReadOnlyMemory<byte>[] batch)
            {
                var answer = await push.ConfigureAwait(false);
                Assert.Equal(batch.Length, answer.Results.Count);
                for (var i = 0; i < batch.Length; i++)
                {
                    if (answer.Results[i] is { Held: true, Position: { } p, Op: { } op }) told.Add((op, p, batch[i].ToArray()));
                }
            }

            async Task Till(int t)
            {
                var rnd = new Random((round * 100) + t);
                var chain = chains[t];
                var at = 0;
                Task? racing = null;
                while (at < chain.Count)
                {
                    var count = Math.Min(rnd.Next(1, 4), chain.Count - at);
                    var batch = chain.Skip(at).Take(count).Select(o => o.Bytes).ToArray();
                    if (rnd.Next(6) == 0)
                    {
                        var forged = batch[^1].ToArray();
                        forged[^2] ^= 0x08;
                        await Record(relay.PushAsync([.. batch[..^1], forged]), [.. batch[..^1], forged]).ConfigureAwait(false);
                    }

                    var push = Record(relay.PushAsync(batch), batch);
                    if (rnd.Next(3) == 0)
                    {
                        // The next batch goes out before this one is answered (it may land first: then a gap, resent below).
                        if (racing is not null) await racing.ConfigureAwait(false);
                        racing = push;
                    }
                    else
                    {
                        await push.ConfigureAwait(false);
                        if (rnd.Next(4) == 0) await Record(relay.PushAsync(batch), batch).ConfigureAwait(false);
                    }

                    at += count;
                }

                if (racing is not null) await racing.ConfigureAwait(false);
            }

            async Task Forger()
            {
                var rnd = new Random(round);
                for (var k = 0; k < 10; k++)
                {
                    var t = rnd.Next(chains.Length);
                    var op = forks[t][rnd.Next(1, forks[t].Count)];
                    forkSent.Add(op.Ref);
                    await Record(relay.PushAsync([op.Bytes]), [op.Bytes]).ConfigureAwait(false);
                }
            }

            await Task.WhenAll(Enumerable.Range(0, chains.Length).Select(t => Task.Run(() => Till(t))).Append(Task.Run(Forger))).WaitAsync(Patience);

            // Every till resends its whole chain (as a device does until the relay holds everything), in order.
            foreach (var chain in chains)
            {
                for (var from = 0; from < chain.Count; from += 16)
                {
                    var batch = chain.Skip(from).Take(16).Select(o => o.Bytes).ToArray();
                    await Record(relay.PushAsync(batch), batch);
                }
            }

            var log = await store.ReadAsync(0, 10_000);
            Assert.Equal(Enumerable.Range(0, log.Count).Select(p => (long)p), log.Select(o => o.Position));
            foreach (var group in log.GroupBy(o => o.Author))
            {
                // One op per seq, from 1, in seq order along the log, each the author's chain (its own or the fork it took).
                Assert.Equal(Enumerable.Range(1, group.Count()).Select(s => (ulong)s), group.Select(o => o.Seq));
            }

            // A till whose chain no forger op got into first is held whole after its resend: nothing lost.
            foreach (var chain in chains)
            {
                var held = log.Where(o => o.Author == chain[0].Op.Author).ToArray();
                if (held.All(o => o.Hash == chain[(int)o.Seq - 1].ChainHash)) Assert.Equal(chain.Count, held.Length);
            }

            var byPosition = log.ToDictionary(o => o.Position);
            foreach (var (op, position, bytes) in told)
            {
                Assert.True(byPosition.TryGetValue(position, out var stored), $"{op} told position {position}, beyond the log");
                Assert.Equal(op, new OpRef(stored!.Author, stored.Seq));
                Assert.Equal(Hash32.Sha256(bytes), stored.Hash);
            }

            // The evidence is true: each names an author and seq whose held op differs from the one pushed.
            foreach (var evidence in (await relay.GetEvidenceAsync()).OfType<ClientForkEvidence>())
            {
                Assert.True(evidence.Verify().Valid);
            }

            Assert.Equal(0, relay.Groups.Waiting);
        }
    }

    private const int FuzzMaxBatch = 8;

    private static async Task<long> RunScriptAsync(int seed, IRelayStore store)
    {
        var rnd = new Random(seed);
        var labels = Enumerable.Range(0, 4).Select(i => $"fuzz{seed}-{i}").ToArray();
        var chains = labels.Select((l, i) => Chain(l, 9, rotateAt: i == 0 ? 3 : -1)).ToArray();
        var forks = labels.Select((l, i) => Chain(l, 9, tag: "other", rotateAt: i == 0 ? 3 : -1)).ToArray();
        var holderChain = Chain($"fuzz{seed}-holder", 8);
        var script = new GroupPushScript(rnd, chains, forks, FuzzMaxBatch);
        var options = new RelayOptions { Ledger = World.Ledger, MaxBatch = FuzzMaxBatch };
        using var reference = new Relay(options, new InMemoryRelayStore());
        using var relay = new Relay(new RelayOptions { Ledger = World.Ledger, MaxBatch = FuzzMaxBatch }, store);

        for (var round = 0; round < 5; round++)
        {
            var pushes = Enumerable.Range(0, rnd.Next(2, 8)).Select(_ => script.NextPush()).ToList();
            var gone = pushes.Select(_ => rnd.Next(9) == 0).ToArray();
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var release = new ManualResetEventSlim();
            relay.AfterPersist = _ =>
            {
                relay.AfterPersist = null;
                entered.TrySetResult();
                release.Wait(Patience);
            };
            var holderPush = new[] { holderChain[round].Bytes };
            var holder = Task.Run(() => relay.PushAsync(holderPush));
            await entered.Task.WaitAsync(Patience);
            var tasks = new List<Task<IngestResponse>>();
            var giveUps = new List<CancellationTokenSource>();
            foreach (var push in pushes)
            {
                var giveUp = new CancellationTokenSource();
                giveUps.Add(giveUp);
                tasks.Add(relay.PushAsync(push, giveUp.Token));
                await QueuedAsync(relay, tasks.Count);
            }

            for (var k = 0; k < pushes.Count; k++)
            {
                if (!gone[k]) continue;
                await giveUps[k].CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tasks[k].WaitAsync(Patience));
            }

            release.Set();
            SameAnswer(await reference.PushAsync(holderPush), await holder.WaitAsync(Patience), $"seed {seed} round {round} holder");
            for (var k = 0; k < pushes.Count; k++)
            {
                if (gone[k]) continue;
                SameAnswer(await reference.PushAsync(pushes[k]), await tasks[k].WaitAsync(Patience), $"seed {seed} round {round} push {k}");
            }

            foreach (var giveUp in giveUps) giveUp.Dispose();
        }

        await SameLogAsync(reference, relay);
        Assert.Equal(0, relay.Groups.Waiting);
        return relay.Groups.Groups;
    }
}

/// <summary>A relay store over another whose appends and evidence writes a test steers: an append can be held (to
/// hold the relay's gate, or a group's transaction, while pushes queue) and evidence writes can fail as an
/// unreachable database does.</summary>
internal sealed class SteeredRelayStore(IRelayStore inner) : IRelayStore
{
    /// <summary>Runs before each append reaches the store.</summary>
    public Func<IReadOnlyList<StoredOp>, Task>? BeforeAppend { get; set; }

    /// <summary>Evidence writes fail with <see cref="StoreUnavailableException"/> while set.</summary>
    public bool EvidenceFails { get; set; }

    public long Count => inner.Count;

    public long SizeBytes => inner.SizeBytes;

    public long? CapBytes => inner.CapBytes;

    public Task<(ulong Seq, Hash32 Tip)?> GetTipAsync(AuthorId author, CancellationToken cancellationToken = default) => inner.GetTipAsync(author, cancellationToken);

    public Task<StoredOp?> FindAsync(AuthorId author, ulong seq, CancellationToken cancellationToken = default) => inner.FindAsync(author, seq, cancellationToken);

    public Task<IReadOnlyList<StoredOp>> ReadKeyEventsAsync(AuthorId author, CancellationToken cancellationToken = default) => inner.ReadKeyEventsAsync(author, cancellationToken);

    public async Task AppendAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default)
    {
        if (BeforeAppend is { } hook) await hook(ops).ConfigureAwait(false);
        await inner.AppendAsync(ops, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<StoredOp>> ReadAsync(long fromPosition, int max, CancellationToken cancellationToken = default) => inner.ReadAsync(fromPosition, max, cancellationToken);

    public Task<IReadOnlyList<StoredOp>> ReadAuthorAsync(AuthorId author, ulong fromSeq, int max, CancellationToken cancellationToken = default) =>
        inner.ReadAuthorAsync(author, fromSeq, max, cancellationToken);

    public Task AddCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) => inner.AddCosignatureAsync(note, cancellationToken);

    public Task<IReadOnlyList<byte[]>> ReadCosignaturesAsync(int max, CancellationToken cancellationToken = default) => inner.ReadCosignaturesAsync(max, cancellationToken);

    public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        EvidenceFails ? throw new StoreUnavailableException("the steered store (test)", "keeping evidence failed: the database is gone") : inner.AddEvidenceAsync(kind, accused, bytes, cancellationToken);

    public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default) => inner.ReadEvidenceAsync(cancellationToken);

    public Task<bool> KeepBeaconAsync(BeaconRecord beacon, CancellationToken cancellationToken = default) => inner.KeepBeaconAsync(beacon, cancellationToken);

    public Task<IReadOnlyList<BeaconRecord>> ReadBeaconsAsync(CancellationToken cancellationToken = default) => inner.ReadBeaconsAsync(cancellationToken);

    public void Dispose() => inner.Dispose();
}
