using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync.Conformance;
using Ledger.TestDomain;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>Group commit over a shared store, reviewed adversarially: random scripts of pushes (next batches, resends,
/// gaps, forks, forged and malformed ops, several authors in one batch, oversized and empty batches, pushers that give
/// up while queued) go through a relay's group commit while another instance stores ops in the same database — its own
/// authors' (the group lands past the positions this instance last saw: the tentative positions shift) and the script
/// authors' next ops (the group's cached chains lag: a resend becomes a conflict, then a duplicate). Every answer, the
/// log and the evidence must be those of a relay over the same kind of store, beside an instance doing the same, fed
/// the same pushes one at a time. LEDGER_GROUP_FUZZ_CASES=N runs more cases (CI: 4, a few seconds).</summary>
public sealed class GroupCommitRaceTests
{
    private const string LedgerName = "group-review";
    private const int MaxBatch = 8;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{index}")).ToArray());

    private static List<SignedOp> Chain(string label, int ops, string tag = "k", int rotateAt = -1) => GroupPushScript.Chain(LedgerName, label, ops, tag, rotateAt);

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Random_scripts_through_group_commit_beside_another_instance_end_with_the_answers_log_and_evidence_of_one_at_a_time_ingest()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_GROUP_FUZZ_CASES"), out var n) && n > 0 ? n : 4;
        var cs = PostgreSqlServer.CreateDatabase("groupfuzz");
        try
        {
            long groups = 0, shifted = 0;
            for (var seed = 1; seed <= cases; seed++)
            {
                // One database, a ledger per case.
                var (g, s) = await RunScriptAsync(cs, seed);
                groups += g;
                shifted += s;
            }

            Assert.True(groups >= cases, $"{groups} groups in {cases} cases");
            Assert.True(shifted > 0, "no group landed past the positions its instance last saw");
        }
        finally
        {
            PostgreSqlServer.DropDatabase(cs);
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task An_op_that_breaks_a_lagging_cached_chain_is_checked_against_the_database_so_a_fork_another_instance_holds_is_kept_as_evidence()
    {
        var x = Chain("lag-x", 2);
        var forkOfX = Chain("lag-x", 2, tag: "other");
        var cs = PostgreSqlServer.CreateDatabase("grouplag");
        try
        {
            using var store = new PostgreSqlRelayStore(cs, LedgerName);
            using var other = new PostgreSqlRelayStore(cs, LedgerName);
            using var relay = new Relay(new RelayOptions { Ledger = LedgerName }, store);
            Assert.All((await relay.PushAsync([x[0].Bytes, x[1].Bytes])).Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
            // Another instance stores x's seq 3: this instance's cached chain of x ends at seq 2.
            Assert.Equal(2, await other.AppendSequencedAsync(ConformanceOps.Stored([x[2]], 0)));

            // x's other seq 3 (chained on its other seq 2): against the cached chain a wrong prev; against the database
            // another op at a held (author, seq), which a relay that saw the database answers with a fork and evidence.
            var answer = await relay.PushAsync([forkOfX[2].Bytes]);
            Assert.Equal(IngestRefusal.Fork, answer.Results.Single().Refusal);
            Assert.Equal(4UL, answer.NextSeq![x[0].Op.Author]);
            Assert.Single(await relay.GetEvidenceAsync(), e => e is ClientForkEvidence);
            Assert.Equal(3, (await store.ReadAsync(0, 10)).Count);
        }
        finally
        {
            PostgreSqlServer.DropDatabase(cs);
        }
    }

    private static async Task<(long Groups, long Shifted)> RunScriptAsync(string cs, int seed)
    {
        var rnd = new Random(seed);
        var ledger = LedgerName;
        var labels = Enumerable.Range(0, 4).Select(i => $"race{seed}-{i}").ToArray();
        var chains = labels.Select((l, i) => Chain(l, 9, rotateAt: i == 0 ? 3 : -1)).ToArray();
        var forks = labels.Select((l, i) => Chain(l, 9, tag: "other", rotateAt: i == 0 ? 3 : -1)).ToArray();
        var holderChain = Chain($"race{seed}-holder", 8);
        var strangerChain = Chain($"race{seed}-stranger", 20);
        var strangerSent = 0;
        var script = new GroupPushScript(rnd, chains, forks, MaxBatch);
        // One database for the cases (a database each costs its schema), a ledger each.
        using var store = new PostgreSqlRelayStore(cs, ledger + "-" + seed);
        using var other = new PostgreSqlRelayStore(cs, ledger + "-" + seed);
        // The reference: a relay over the same kind of store, beside its own other instance doing the same, fed one push
        // at a time (over a shared store an instance's cached chains may lag the database, alone as in a group).
        using var referenceStore = new PostgreSqlRelayStore(cs, ledger + "-alone-" + seed);
        using var referenceOther = new PostgreSqlRelayStore(cs, ledger + "-alone-" + seed);
        var options = new RelayOptions { Ledger = ledger, MaxBatch = MaxBatch };
        using var reference = new Relay(options, referenceStore);
        using var relay = new Relay(new RelayOptions { Ledger = ledger, MaxBatch = MaxBatch }, store);
        long shifted = 0;

        for (var round = 0; round < 4; round++)
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
            var holderAlone = await reference.PushAsync(holderPush);

            // The other instance stores while the pushes queue: a stranger's ops, and maybe a script author's next op.
            var otherStored = false;
            if (rnd.Next(3) > 0)
            {
                var ops = strangerChain.Skip(strangerSent).Take(rnd.Next(1, 3)).ToArray();
                strangerSent += ops.Length;
                Assert.Equal(await referenceOther.AppendSequencedAsync(ConformanceOps.Stored(ops, 0)), await other.AppendSequencedAsync(ConformanceOps.Stored(ops, 0)));
                otherStored = true;
            }

            if (rnd.Next(2) == 0)
            {
                var a = rnd.Next(labels.Length);
                if (await NextStoredAsync(a) is { } next)
                {
                    Assert.Equal(await referenceOther.AppendSequencedAsync(ConformanceOps.Stored([next], 0)), await other.AppendSequencedAsync(ConformanceOps.Stored([next], 0)));
                    otherStored = true;
                }
            }

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
            Same(holderAlone, await holder.WaitAsync(Patience), $"seed {seed} round {round} holder");
            for (var k = 0; k < pushes.Count; k++)
            {
                if (gone[k]) continue;
                var grouped = await tasks[k].WaitAsync(Patience);
                Same(await reference.PushAsync(pushes[k]), grouped, $"seed {seed} round {round} push {k}");
                if (otherStored && grouped.Results.Any(r => r.Status == IngestStatus.Accepted)) shifted++;
            }

            foreach (var giveUp in giveUps) giveUp.Dispose();
        }

        // The log in its order and the evidence are the reference's.
        var mine = await store.ReadAsync(0, 1000);
        var theirs = await referenceStore.ReadAsync(0, 1000);
        Assert.Equal(theirs.Select(o => o.Position), mine.Select(o => o.Position));
        Assert.Equal(theirs.Select(o => Convert.ToHexString(o.Bytes.Span)), mine.Select(o => Convert.ToHexString(o.Bytes.Span)));
        Assert.Equal((await reference.GetEvidenceAsync()).Select(e => Convert.ToHexString(e.Encode())), (await relay.GetEvidenceAsync()).Select(e => Convert.ToHexString(e.Encode())));
        Assert.Equal(0, relay.Groups.Waiting);
        return (relay.Groups.Groups, shifted);

        // The op after what the database holds of author a, from whichever of its chains it holds (a fork's op may
        // have been accepted at the seq after a shared prefix).
        async Task<SignedOp?> NextStoredAsync(int a)
        {
            if (await store.GetTipAsync(chains[a][0].Op.Author) is not var (seq, tip)) return chains[a][0];
            foreach (var chain in new[] { chains[a], forks[a] })
            {
                if (chain[(int)seq - 1].ChainHash == tip) return (int)seq < chain.Count ? chain[(int)seq] : null;
            }

            return null;
        }
    }

    // The answers agree op by op and in the next seqs; the size where the push stored an op (one that stores nothing
    // tells the size its instance last saw: alone that may lag what the other instance stored, in a group it is the size
    // where the group landed).
    private static void Same(IngestResponse alone, IngestResponse grouped, string what)
    {
        string Show(IngestResponse r) => string.Join("; ", r.Results.Select(x => $"{x.Op} {x.Status} {x.Position} {x.Refusal} {x.Break} {x.SendFromSeq} {x.Detail}"));
        Assert.True(alone.Results.SequenceEqual(grouped.Results), $"{what}: alone {Show(alone)}\n grouped {Show(grouped)}");
        if (grouped.Results.Any(r => r.Status == IngestStatus.Accepted)) Assert.True(alone.RelaySize == grouped.RelaySize, $"{what}: size alone {alone.RelaySize}, grouped {grouped.RelaySize}");
        else Assert.True(grouped.RelaySize >= alone.RelaySize, $"{what}: size alone {alone.RelaySize}, grouped {grouped.RelaySize}");
        var expected = alone.NextSeq ?? new Dictionary<AuthorId, ulong>();
        var actual = grouped.NextSeq ?? new Dictionary<AuthorId, ulong>();
        Assert.Equal(expected.Keys.Select(k => k.Value).Order(StringComparer.Ordinal), actual.Keys.Select(k => k.Value).Order(StringComparer.Ordinal));
        foreach (var (author, next) in expected)
        {
            Assert.True(actual[author] == next, $"{what}: {author} next seq {actual[author]}, alone {next}");
        }
    }

    private static async Task QueuedAsync(Relay relay, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (relay.Groups.Waiting != count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{relay.Groups.Waiting} pushes queued, {count} expected");
            await Task.Delay(2);
        }
    }
}
