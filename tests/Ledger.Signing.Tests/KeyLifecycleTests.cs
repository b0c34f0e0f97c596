using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Signing.Tests;

public class KeyLifecycleTests
{
    private static SignedOp Tally(TestAuthor a, long n) => a.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", n));

    [Fact]
    [Trait("Risk", "E1")]
    public void A_fresh_chain_verifies_and_reports_its_length_and_tip()
    {
        var a = new TestAuthor("till-1");
        for (var i = 0; i < 5; i++) Tally(a, i);
        var report = ChainVerifier.Verify(TestAuthor.Ledger, a.Chain);
        Assert.True(report.Ok, report.ToString());
        Assert.Equal(6, report.Length);
        Assert.Equal(a.Chain[^1].ChainHash, report.Tip);
        Assert.Contains("chain OK · len 6 · tip", report.ToString());
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void After_rotation_past_ops_stay_valid_and_an_op_under_the_old_key_is_rejected_as_stale()
    {
        var a = new TestAuthor("till-1");
        Tally(a, 1);
        Tally(a, 2);
        a.Rotate(1);
        Tally(a, 3);
        Assert.True(ChainVerifier.Verify(TestAuthor.Ledger, a.Chain).Ok);

        // Someone still holding key 0 signs the next op.
        var next = TestManifest.V1.CreateOp(TestManifest.AddTally, new AmountArgs("k", 9), a.Author, a.Log.Seq + 1, a.Log.Tip, a.Log.Branch(), 1, Guid.Empty);
        var stale = SignedOpCodec.Sign(next, TestAuthor.Ledger, a.Key(0));
        var report = ChainVerifier.Verify(TestAuthor.Ledger, [.. a.Chain, stale]);
        Assert.Equal(ChainBreak.StaleKey, report.Break);
        Assert.Equal(stale.Op.Seq, report.BrokenAtSeq);
        Assert.Equal(a.Chain.Count, report.Length);
        Assert.Contains("rotated away at seq 4", report.Detail);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void Revocation_by_the_next_key_loses_the_future_not_the_past()
    {
        var a = new TestAuthor("till-1");
        Tally(a, 1);
        var past = Tally(a, 2);
        a.Revoke(1, disputedSince: past.Op.Seq);
        Tally(a, 3);
        var report = ChainVerifier.Verify(TestAuthor.Ledger, a.Chain);
        Assert.True(report.Ok, report.ToString());
        Assert.Equal(past.Op.Seq, report.Keys!.DisputedSinceSeq);
        Assert.True(report.Keys.Retired.Single().Revoked);

        var thief = TestManifest.V1.CreateOp(TestManifest.AddTally, new AmountArgs("k", 9), a.Author, a.Log.Seq + 1, a.Log.Tip, a.Log.Branch(), 1, Guid.Empty);
        var forged = SignedOpCodec.Sign(thief, TestAuthor.Ledger, a.Key(0));
        var after = ChainVerifier.Verify(TestAuthor.Ledger, [.. a.Chain, forged]);
        Assert.Equal(ChainBreak.StaleKey, after.Break);
        Assert.Contains("revoked", after.Detail);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void A_revocation_signed_by_the_current_key_is_rejected_so_a_thief_cannot_lock_the_owner_out()
    {
        var a = new TestAuthor("till-1");
        Tally(a, 1);
        // The thief holds key 0 (current) and tries to revoke, installing a key of its own.
        var thiefKey = SigningKey.Generate();
        var op = KeyEvents.Manifest.CreateOp(KeyEvents.RevokeVerb, new RevokeArgs(thiefKey.Public.RawBytes.ToArray(), thiefKey.Public.Digest.ToArray(), 1, null, "stolen"),
            a.Author, a.Log.Seq + 1, a.Log.Tip, new BranchId(a.Author, KeyEvents.BranchName), 1, Guid.Empty);
        var revoke = SignedOpCodec.Sign(op, TestAuthor.Ledger, a.Key(0));
        var report = ChainVerifier.Verify(TestAuthor.Ledger, [.. a.Chain, revoke]);
        Assert.Equal(ChainBreak.RotationByCurrentKey, report.Break);

        // Nor may it reveal its own key signed by itself.
        var self = SignedOpCodec.Sign(op, TestAuthor.Ledger, thiefKey);
        Assert.Equal(ChainBreak.NotPreCommitted, ChainVerifier.Verify(TestAuthor.Ledger, [.. a.Chain, self]).Break);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void A_closing_revocation_ends_the_chain()
    {
        var a = new TestAuthor("till-1");
        a.Revoke(1, close: true);
        Assert.True(ChainVerifier.Verify(TestAuthor.Ledger, a.Chain).Ok);
        Assert.Throws<InvalidOperationException>(() => Tally(a, 1));
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void A_forged_body_under_a_valid_signature_is_rejected()
    {
        var a = new TestAuthor("till-1");
        var good = Tally(a, 1);
        var forgedOp = TestManifest.V1.CreateOp(TestManifest.AddTally, new AmountArgs("k", 1_000_000), a.Author, good.Op.Seq, good.Op.Prev, a.Log.Branch(), good.Op.At, good.Op.OpId);
        var genuine = good.Bytes.ToArray();
        var forgedBytes = SignedOpCodec.Sign(forgedOp, TestAuthor.Ledger, SigningKey.Generate()).Bytes.ToArray();
        // Keep the genuine key id and signature, swap in the forged op.
        var signatureTail = genuine[^(64 + 2 + 8 + 2)..];
        var spliced = SignedOpCodec.Decode(forgedBytes[..^(64 + 2 + 8 + 2)].Concat(signatureTail).ToArray());
        var report = ChainVerifier.Verify(TestAuthor.Ledger, [a.Chain[0], spliced]);
        Assert.Equal(ChainBreak.BadSignature, report.Break);
        Assert.Equal(2UL, report.BrokenAtSeq);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void Flipping_any_byte_of_a_chain_makes_verification_name_that_op()
    {
        var a = new TestAuthor("till-1");
        for (var i = 0; i < 4; i++) Tally(a, i);
        a.Rotate(1);
        Tally(a, 5);
        var file = ChainFile.Encode(TestAuthor.Ledger, a.Chain);
        var (_, clean) = ChainFile.Decode(file);
        Assert.True(ChainFile.VerifyAll(TestAuthor.Ledger, clean).Single().Ok);

        // Offsets of each op inside the file, to know which op a flipped byte belongs to.
        var starts = new List<int>();
        var at = file.AsSpan().IndexOf(a.Chain[0].Bytes.Span);
        foreach (var op in a.Chain)
        {
            var found = file.AsSpan(at).IndexOf(op.Bytes.Span) + at;
            starts.Add(found);
            at = found + op.Bytes.Length;
        }

        for (var i = 0; i < a.Chain.Count; i++)
        {
            var op = a.Chain[i];
            for (var offset = 0; offset < op.Bytes.Length; offset += 3)
            {
                var mutated = (byte[])file.Clone();
                mutated[starts[i] + offset] ^= 0x01;
                try
                {
                    var (_, ops) = ChainFile.Decode(mutated);
                    var reports = ChainFile.VerifyAll(TestAuthor.Ledger, ops);
                    // The mutated op is the one (or, when the flip moved it to another author, one of those) named as broken.
                    Assert.Contains(reports, r => !r.Ok && r.BrokenOp is { } b && b.Bytes.Span.SequenceEqual(mutated.AsSpan(starts[i], op.Bytes.Length)));
                }
                catch (LedgerFormatException e)
                {
                    Assert.Equal(i, e.OpIndex);
                }
            }
        }
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void A_chain_signed_for_another_ledger_is_rejected()
    {
        var a = new TestAuthor("till-1", ledger: "other-ledger");
        Assert.Equal(ChainBreak.WrongLedger, ChainVerifier.Verify(TestAuthor.Ledger, a.Chain).Break);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void A_second_inception_under_an_existing_author_id_cannot_be_made()
    {
        var a = new TestAuthor("till-1");
        var impostorKey = SigningKey.Generate();
        var op = KeyEvents.Manifest.CreateOp(KeyEvents.InceptVerb, new InceptArgs("till-1", impostorKey.Public.RawBytes.ToArray(), impostorKey.Public.Digest.ToArray(), 0),
            a.Author, 1, Hash32.Zero, new BranchId(a.Author, KeyEvents.BranchName), 1, Guid.Empty);
        var impostor = SignedOpCodec.Sign(op, TestAuthor.Ledger, impostorKey);
        Assert.Equal(ChainBreak.BadInception, ChainVerifier.Verify(TestAuthor.Ledger, [impostor]).Break);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void Parallel_verification_names_the_same_first_broken_op_as_sequential()
    {
        var a = new TestAuthor("till-1");
        for (var i = 0; i < 300; i++) Tally(a, i);
        var chain = a.Chain.ToList();
        foreach (var broken in new[] { 5, 150, 299 })
        {
            var bytes = chain[broken].Bytes.ToArray();
            bytes[^1] ^= 0x40;
            var copy = chain.ToList();
            copy[broken] = SignedOpCodec.Decode(bytes);
            var serial = ChainVerifier.Verify(TestAuthor.Ledger, copy, watermark: null, maxDegreeOfParallelism: 1);
            var parallel = ChainVerifier.Verify(TestAuthor.Ledger, copy, watermark: null, maxDegreeOfParallelism: 4);
            Assert.Equal(serial.BrokenAtSeq, parallel.BrokenAtSeq);
            Assert.Equal(copy[broken].Op.Seq, parallel.BrokenAtSeq);
        }
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void A_watermark_skips_the_verified_prefix_but_never_a_different_one()
    {
        var a = new TestAuthor("till-1");
        for (var i = 0; i < 20; i++) Tally(a, i);
        var store = new InMemoryWatermarkStore();
        var first = ChainVerifier.Verify(TestAuthor.Ledger, a.Chain, store);
        Assert.Equal(21, first.SignaturesChecked);
        for (var i = 0; i < 5; i++) Tally(a, i);
        var second = ChainVerifier.Verify(TestAuthor.Ledger, a.Chain, store);
        Assert.True(second.Ok);
        Assert.Equal(5, second.SignaturesChecked);

        // A watermark whose tip does not match the chain is ignored: everything is checked again.
        var wrong = new VerifiedWatermark(a.Author, 10, Hash32.Sha256("other"u8));
        Assert.Equal(26, ChainVerifier.Verify(TestAuthor.Ledger, a.Chain, wrong).SignaturesChecked);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void Key_events_fold_into_the_books_as_the_authors_key_state()
    {
        var a = new TestAuthor("till-1");
        Tally(a, 1);
        a.Rotate(1);
        var kernel = new LedgerKernel(KeyEvents.Use(new KernelOptions().Use(TestManifest.V1)));
        foreach (var op in a.Chain) Assert.Equal(ApplyStatus.Folded, kernel.Apply(op.Op).Status);
        Assert.True(kernel.State.TryGet(KeyEvents.KeyStates, new BranchId(a.Author, KeyEvents.BranchName), "state", out var row));
        Assert.Equal(a.Key(1).Public.RawBytes.ToArray(), row.PublicKey);
        Assert.Equal(2, row.Events);
    }
}
