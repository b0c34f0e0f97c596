using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync.Tests;

/// <summary>Group commit on the embedded relay (SQLite): the pushes that wait for the relay's gate while a commit runs
/// are ingested together and stored in one transaction, and each pusher gets the answer it would have had alone. The
/// groups are made without timing: the first push holds the gate in <see cref="Relay.AfterPersist"/> until the others
/// are queued; the proof of grouping is the relay's count of groups stored in one transaction.</summary>
public sealed class SqliteGroupCommitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static ReadOnlyMemory<byte>[] Bytes(IEnumerable<SignedOp> ops) => ops.Select(o => (ReadOnlyMemory<byte>)o.Bytes).ToArray();

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Pushes_waiting_for_a_sqlite_relays_gate_are_stored_in_one_transaction_each_answered_as_alone_and_kept_across_a_reopen()
    {
        var path = Path.Combine(World.TempDir(), "relay.db");
        var chains = Enumerable.Range(0, 7).Select(i => World.Chain("grouped-" + i, 2)).ToArray();
        // A push whose second op carries a bad signature: its first op lands, the rest is refused, its neighbours
        // are not touched.
        var forged = World.Chain("grouped-forged", 2);
        var forgedBytes = Bytes(forged);
        var bad = forgedBytes[1].ToArray();
        bad[^3] ^= 0x55;
        forgedBytes[1] = bad;
        IngestResponse held;
        IngestResponse[] answers;
        IngestResponse forgedAnswer;
        using (var store = new SqliteRelayStore(path))
        {
            var relay = World.NewRelay(store);
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new ManualResetEventSlim();
            relay.AfterPersist = _ =>
            {
                relay.AfterPersist = null;
                entered.TrySetResult();
                release.Wait(Patience);
            };

            var holder = Task.Run(() => relay.PushAsync(Bytes(chains[0])));
            await entered.Task.WaitAsync(Patience);
            var pushes = chains.Skip(1).Select(c => Task.Run(() => relay.PushAsync(Bytes(c)))).ToList();
            var forgedPush = Task.Run(() => relay.PushAsync(forgedBytes));
            var deadline = DateTime.UtcNow + Patience;
            while (relay.Groups.Waiting < 7)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{relay.Groups.Waiting} pushes queued, 7 expected");
                await Task.Delay(5);
            }

            release.Set();
            held = await holder.WaitAsync(Patience);
            answers = await Task.WhenAll(pushes).WaitAsync(Patience);
            forgedAnswer = await forgedPush.WaitAsync(Patience);

            // One transaction for the seven pushes that waited (one each without group commit: no group at all).
            Assert.Equal(1, relay.Groups.Groups);
            Assert.Equal([0L, 1, 2], held.Results.Select(r => r.Position!.Value));
            Assert.Equal(3 + (6 * 3) + 1, relay.Size);
        }

        // Each answer is its own: its ops, accepted at positions that hold them; the forged push's first op accepted,
        // its bad op and the one after (chained to the genuine op) refused; nothing else changed by its neighbour.
        using var reopened = new SqliteRelayStore(path);
        var log = await reopened.ReadAsync(0, 100);
        Assert.Equal(22, log.Count);
        var positions = new HashSet<long>();
        for (var k = 0; k < answers.Length; k++)
        {
            var chain = chains[k + 1];
            Assert.Equal(chain.Select(o => (OpRef?)o.Ref), answers[k].Results.Select(r => r.Op));
            Assert.All(answers[k].Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
            Assert.Equal(new Dictionary<AuthorId, ulong> { [chain[0].Op.Author] = 4 }, answers[k].NextSeq);
            foreach (var r in answers[k].Results)
            {
                Assert.True(positions.Add(r.Position!.Value));
                Assert.Equal(r.Op, new OpRef(log[(int)r.Position.Value].Author, log[(int)r.Position.Value].Seq));
            }
        }

        Assert.Equal(IngestStatus.Accepted, forgedAnswer.Results[0].Status);
        Assert.Equal(ChainBreak.BadSignature, forgedAnswer.Results[1].Break);
        Assert.Equal(IngestStatus.Refused, forgedAnswer.Results[2].Status); // it chains to the genuine op, not the forged one
        Assert.Equal(forged[0].Ref, new OpRef(log[(int)forgedAnswer.Results[0].Position!.Value].Author, log[(int)forgedAnswer.Results[0].Position!.Value].Seq));
        // The group's positions follow the holder's, without a gap.
        Assert.Equal(Enumerable.Range(3, 19).Select(p => (long)p), positions.Append(forgedAnswer.Results[0].Position!.Value).Order());

        // A relay over the reopened file continues the same order: resends get the positions they were told.
        var relayAgain = World.NewRelay(reopened);
        var again = await relayAgain.PushAsync(Bytes(chains[3]));
        Assert.All(again.Results, r => Assert.Equal(IngestStatus.Duplicate, r.Status));
        Assert.Equal(answers[2].Results.Select(r => r.Position), again.Results.Select(r => r.Position));
    }
}
