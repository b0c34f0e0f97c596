using Ledger.Kernel;
using Ledger.Testing;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

public class CheckpointTests
{
    [Fact]
    [Trait("Risk", "B2")]
    public void Bootstrap_from_a_checkpoint_plus_the_tail_equals_genesis_replay()
    {
        foreach (var log in LedgerGen.Sample(TestManifest.Spec(120), 20, seed: 7))
        {
            var cut = log.Count / 2;
            var genesis = ReplayAssert.Fold(TestManifest.NewKernel, log.Entries, frontierAtEnd: true);

            // The replica folded the first half with the relay frontier at the cut.
            var first = TestManifest.NewKernel();
            foreach (var e in log.Entries.Take(cut)) first.Apply(e);
            first.AdvanceRelayFrontier(cut);
            var bytes = CheckpointCodec.Encode(first.CreateCheckpoint());

            var restored = LedgerKernel.Restore(bytes, new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1) });
            Assert.Equal(first.StateHash(), restored.StateHash());
            foreach (var e in log.Entries.Skip(cut)) restored.Apply(e);
            restored.AdvanceRelayFrontier(long.MaxValue);
            Assert.Equal(genesis, restored.StateHash());
        }
    }

    [Fact]
    [Trait("Risk", "B2")]
    public void A_checkpoint_with_a_tampered_row_is_rejected()
    {
        var kernel = Folded(out _);
        var checkpoint = kernel.CreateCheckpoint();
        var segment = checkpoint.Segments.First(s => s.Id.Table == "balances");
        var rows = segment.Rows.ToList();
        rows[0] = new(rows[0].Key, MessagePack.MessagePackSerializer.Serialize(999_999L));
        var tampered = Replace(checkpoint, segment, segment with { Rows = rows });
        var e = Assert.Throws<CheckpointException>(() => LedgerKernel.Restore(tampered, Options()));
        Assert.Equal(CheckpointProblem.StateHashMismatch, e.Problem);
    }

    [Fact]
    [Trait("Risk", "B2")]
    public void A_cut_whose_author_frontier_excludes_a_folded_op_is_rejected_as_not_closed()
    {
        var kernel = Folded(out var chain);
        var c = kernel.CreateCheckpoint();
        var authors = c.Authors.Select(a => a.Author == chain.Author ? a with { Seq = 1 } : a).ToArray();
        var cut = new Checkpoint(authors, c.RelayFrontier, c.RelayCut, c.KeyStateDigest, c.Adopted, c.ClaimFrontier, c.Pending, c.Parked, c.Segments, c.StateHash);
        var e = Assert.Throws<CheckpointException>(() => LedgerKernel.Restore(cut, Options()));
        Assert.Equal(CheckpointProblem.CutNotClosed, e.Problem);
    }

    [Fact]
    [Trait("Risk", "B2")]
    public void A_cut_claiming_a_relay_frontier_past_a_pending_claim_is_rejected_as_not_closed()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        kernel.Apply(chain.Next(TestManifest.StockPool, new UnitsArgs(1, "r"), "sku:1"), 0);
        var c = kernel.CreateCheckpoint();
        Assert.Single(c.Pending);
        var cut = new Checkpoint(c.Authors, 5, c.RelayCut, c.KeyStateDigest, c.Adopted, c.ClaimFrontier, c.Pending, c.Parked, c.Segments, c.StateHash);
        Assert.Equal(CheckpointProblem.CutNotClosed, Assert.Throws<CheckpointException>(() => LedgerKernel.Restore(cut, Options())).Problem);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Truncated_or_mutated_checkpoint_bytes_fail_typed_and_never_restore()
    {
        var bytes = CheckpointCodec.Encode(Folded(out _).CreateCheckpoint());
        for (var length = 0; length < bytes.Length; length += 7)
        {
            Assert.Throws<LedgerFormatException>(() => CheckpointCodec.Decode(bytes.AsMemory(0, length)));
        }

        var random = new Random(42);
        for (var i = 0; i < 500; i++)
        {
            var mutated = (byte[])bytes.Clone();
            mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                LedgerKernel.Restore(mutated, Options());
                // A mutation that still restores must be one that changed nothing the hash covers (never the case
                // for row bytes) — it can only be a benign field such as an op id inside a pending op.
            }
            catch (Exception e) when (e is LedgerFormatException or CheckpointException or LedgerOrderException)
            {
            }
        }
    }

    [Fact]
    [Trait("Risk", "B2")]
    public void A_checkpoint_round_trips_byte_for_byte()
    {
        var kernel = Folded(out _);
        var bytes = CheckpointCodec.Encode(kernel.CreateCheckpoint(new CheckpointExtras
        {
            RelayCut = new RelayCut("relay.example/ledger-1", 12, Hash32.Sha256("root"u8)),
            KeyStateDigest = Hash32.Sha256("keys"u8),
        }));
        var decoded = CheckpointCodec.Decode(bytes);
        Assert.Equal(bytes, CheckpointCodec.Encode(decoded));
        Assert.Equal(12, decoded.RelayCut!.Size);
    }

    private static KernelOptions Options() => new() { Manifests = new ManifestCatalog(TestManifest.V1) };

    private static LedgerKernel Folded(out Chain chain)
    {
        var kernel = TestManifest.NewKernel();
        chain = new Chain("till-1");
        var other = new Chain("till-2");
        kernel.Apply(chain.Next(TestManifest.PostSale, new SaleArgs("i1", "acct", 500)));
        kernel.Apply(chain.Next(TestManifest.MoveStock, new AmountArgs("sku", -3)));
        kernel.Apply(other.Next(TestManifest.SetPrice, new AmountArgs("sku", 250)));
        kernel.Apply(other.Next(TestManifest.AddTag, new TagArgs("sku", "red")));
        kernel.Apply(chain.Next(TestManifest.PutNote, new NoteArgs("n", "hello")));
        return kernel;
    }

    private static Checkpoint Replace(Checkpoint c, CheckpointSegment old, CheckpointSegment replacement) =>
        new(c.Authors, c.RelayFrontier, c.RelayCut, c.KeyStateDigest, c.Adopted, c.ClaimFrontier, c.Pending, c.Parked,
            c.Segments.Select(s => ReferenceEquals(s, old) ? replacement : s).ToArray(), c.StateHash);
}
