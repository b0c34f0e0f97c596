using Ledger.Kernel;

namespace Ledger.Sync.Tests;

/// <summary>Risk B2: the own ladder a node opened from its checkpoint starts from — its settled prefix compacted to a mark
/// and counts — behaves as the whole ladder did for everything after the mark.</summary>
public class CompactedLadderTests
{
    [Fact]
    [Trait("Risk", "B2")]
    public void A_ladder_compacted_at_its_settled_prefix_tallies_pushes_and_settles_as_the_whole_ladder_does()
    {
        var chain = World.Chain("till-c", 11); // seqs 1 … 12
        var author = chain[0].Op.Author;
        var whole = new OwnLadder(author);
        foreach (var op in chain)
        {
            var seq = (long)op.Op.Seq;
            whole.Add(op, seq <= 10 ? DurabilityRung.Durable : DurabilityRung.Local, seq <= 10 ? seq - 1 : null, null);
        }

        // Held below a folded relay prefix of 8: seqs 1 … 8 settle; 9 and 10 are held at positions 8 and 9.
        var (through, hash, durable, won, lost) = whole.SettledPrefix(foldedCursor: 8);
        Assert.Equal((8UL, chain[7].ChainHash, 8, 0, 0), (through, hash, durable, won, lost));

        var compacted = OwnLadder.Compacted(author, through, hash, durable, won, lost);
        foreach (var op in chain.Skip(8)) compacted.Add(op, whole[op.Op.Seq].Rung, whole[op.Op.Seq].Position, null);
        Assert.Equal(whole.Count, compacted.Count);
        Assert.Equal(8UL, compacted.CompactedThrough);
        Assert.Equal(whole.Tally(), compacted.Tally());
        Assert.Equal(whole.Unacknowledged(10).Select(o => o.Ref), compacted.Unacknowledged(10).Select(o => o.Ref));
        Assert.Equal([9UL, 10UL, 11UL, 12UL], compacted.Values.Select(o => o.Ref.Seq));
        Assert.False(compacted.TryGetValue(5, out _));
        Assert.True(compacted.TryChainHash(8, out var mark));
        Assert.Equal(chain[7].ChainHash, mark);
        Assert.False(compacted.TryChainHash(7, out _));

        // Settling goes on from the mark, and a demotion after it starts the count again.
        Assert.Equal((10UL, chain[9].ChainHash, 10), Settled(compacted, 10));
        compacted.MarkNotHeldFrom(10, "lost");
        Assert.Equal((9UL, chain[8].ChainHash, 9), Settled(compacted, 10));
        Assert.Equal(DurabilityRung.Local, compacted[10].Rung);
        Assert.Equal([10UL, 11UL], compacted.Unacknowledged(2).Select(o => o.Ref.Seq));
        Assert.Throws<InvalidOperationException>(() => compacted.MarkNotHeldFrom(5, "lost"));
    }

    private static (ulong Through, Hash32 Hash, int Durable) Settled(OwnLadder ladder, long cursor)
    {
        var (through, hash, durable, _, _) = ladder.SettledPrefix(cursor);
        return (through, hash, durable);
    }
}
