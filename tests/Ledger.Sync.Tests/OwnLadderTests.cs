using Ledger.Sync;

namespace Ledger.Sync.Tests;

/// <summary>The struct-backed ladder behind <see cref="DeviceNode.Ladder"/>: seqs without gaps, views that write
/// through, and a push scan that starts past the acknowledged prefix without ever skipping an op sent back to Local.</summary>
public class OwnLadderTests
{
    [Fact]
    [Trait("Risk", "A1")]
    public void The_unacknowledged_scan_skips_the_acknowledged_prefix_but_finds_ops_sent_back_to_local()
    {
        var chain = World.Chain("till-1", 599); // the inception and 599 ops
        var ladder = new OwnLadder(chain[0].Op.Author);
        foreach (var op in chain) ladder.Add(op, DurabilityRung.Local, null, null);
        Assert.Equal(600, ladder.Count);

        // The relay acknowledges the first 590 (the array grew past its first size on the way).
        foreach (var view in ladder.Values.Take(590))
        {
            view.Rung = DurabilityRung.Durable;
            view.Position = (long)view.Ref.Seq - 1;
        }

        Assert.Equal(Enumerable.Range(591, 10).Select(s => (ulong)s), ladder.Unacknowledged(100).Select(o => o.Ref.Seq));
        Assert.Equal([591UL, 592UL], ladder.Unacknowledged(2).Select(o => o.Ref.Seq));

        // A relay that lost data sends op 7 back to Local: the next scan must find it first.
        ladder[7].Rung = DurabilityRung.Local;
        ladder[7].Detail = "the relay no longer holds it";
        Assert.Equal(7UL, ladder.Unacknowledged(1).Single().Ref.Seq);
        Assert.Equal("the relay no longer holds it", ladder[7].Detail);
        Assert.Equal(6L, ladder[7].Position);

        var tally = ladder.Tally();
        Assert.Equal((11, 0, 589), (tally.Local, tally.Syncing, tally.Durable));
        Assert.Equal(chain[6].Op.At, tally.OldestUnacknowledgedAt);
    }

    [Fact]
    [Trait("Risk", "A1")]
    public void A_gap_or_another_authors_op_is_refused_and_views_of_missing_seqs_do_not_exist()
    {
        var chain = World.Chain("till-1", 3);
        var ladder = new OwnLadder(chain[0].Op.Author);
        ladder.Add(chain[0], DurabilityRung.Durable, 0, null);
        Assert.Throws<InvalidOperationException>(() => ladder.Add(chain[2], DurabilityRung.Local, null, null));
        Assert.Throws<InvalidOperationException>(() => ladder.Add(World.Chain("till-2", 2)[1], DurabilityRung.Local, null, null));
        Assert.False(ladder.TryGetValue(0, out _));
        Assert.False(ladder.TryGetValue(2, out _));
        Assert.Throws<KeyNotFoundException>(() => ladder[2]);
        Assert.True(ladder.TryGetValue(1, out var first));
        Assert.Equal(chain[0].ChainHash, first.ChainHash);
        Assert.Empty(ladder.Unacknowledged(10));
    }
}
