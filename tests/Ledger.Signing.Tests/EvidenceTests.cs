using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Signing.Tests;

public class EvidenceTests
{
    private static SignedOp Tally(TestAuthor a, long n) => a.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", n));

    /// <summary>The same author signs a different op at an existing seq (a restored device that did not fetch its tip).</summary>
    private static SignedOp Resign(TestAuthor a, int index, SigningKey key)
    {
        var original = a.Chain[index].Op;
        var twin = TestManifest.V1.CreateOp(TestManifest.AddTally, new AmountArgs("other", 42), a.Author, original.Seq, original.Prev, a.Log.Branch(), original.At + 5, Guid.Empty);
        return SignedOpCodec.Sign(twin, TestAuthor.Ledger, key);
    }

    [Fact]
    [Trait("Risk", "D4")]
    [Trait("Risk", "A3")]
    public void Re_signing_an_existing_seq_yields_client_fork_evidence_that_verifies_standalone()
    {
        var a = new TestAuthor("till-1");
        for (var i = 0; i < 5; i++) Tally(a, i);
        a.Rotate(1);
        Tally(a, 9);
        var conflicting = Resign(a, 7, a.Key(1));
        var evidence = ClientForkEvidence.FromChain(TestAuthor.Ledger, a.Chain, conflicting);
        var bytes = evidence.Encode();
        var decoded = EvidenceCodec.Decode(bytes);
        var verdict = decoded.Verify();
        Assert.True(verdict.Valid, verdict.Finding);
        Assert.Equal(a.Author.Value, decoded.Accused);
        Assert.Contains("signed two different ops at seq 8", verdict.Finding);
        // Only the key events travel, not the whole chain.
        Assert.Equal(2, ((ClientForkEvidence)decoded).KeyEventsLog.Count);
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Client_fork_evidence_never_accuses_an_honest_author()
    {
        var a = new TestAuthor("till-1");
        Tally(a, 1);
        Tally(a, 2);
        // The same op twice is no fork.
        Assert.False(new ClientForkEvidence(TestAuthor.Ledger, [a.Chain[0]], a.Chain[2], a.Chain[2]).Verify().Valid);
        // A "fork" signed by a key that is not the author's proves nothing.
        Assert.False(ClientForkEvidence.FromChain(TestAuthor.Ledger, a.Chain, Resign(a, 2, SigningKey.Generate())).Verify().Valid);
        // Two ops at different seqs are not a fork.
        Assert.False(new ClientForkEvidence(TestAuthor.Ledger, [a.Chain[0]], a.Chain[1], a.Chain[2]).Verify().Valid);
        // Key events of someone else do not certify this author.
        var b = new TestAuthor("till-2");
        Assert.False(new ClientForkEvidence(TestAuthor.Ledger, [b.Chain[0]], a.Chain[2], Resign(a, 2, a.Key(0))).Verify().Valid);
    }

    [Fact]
    [Trait("Risk", "D4")]
    [Trait("Risk", "E1")]
    public void Fork_evidence_that_hides_a_rotation_is_rejected_by_a_verifier_who_knows_the_key_events()
    {
        var a = new TestAuthor("till-1");
        Tally(a, 1);
        a.Rotate(1);
        Tally(a, 2);
        // Someone holding the retired key 0 signs two ops at seq 5 and leaves the rotation out of the evidence.
        var forged = Enumerable.Range(0, 2).Select(i => SignedOpCodec.Sign(
            TestManifest.V1.CreateOp(TestManifest.AddTally, new AmountArgs("k", 100 + i), a.Author, 5, a.Log.Tip, a.Log.Branch(), 1, Guid.Empty),
            TestAuthor.Ledger, a.Key(0))).ToArray();
        var evidence = new ClientForkEvidence(TestAuthor.Ledger, [a.Chain[0]], forged[0], forged[1]);
        // Its bytes alone cannot show the omission ...
        Assert.True(evidence.Verify().Valid);
        // ... the author's known key events can.
        var verdict = evidence.VerifyAgainst(a.Chain);
        Assert.False(verdict.Valid);
        Assert.Contains("leaves out the key event", verdict.Finding);
        // Honest evidence passes both.
        var honest = ClientForkEvidence.FromChain(TestAuthor.Ledger, a.Chain, Resign(a, 3, a.Key(1)));
        Assert.True(honest.VerifyAgainst(a.Chain).Valid, honest.VerifyAgainst(a.Chain).Finding);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public void An_op_under_a_rotated_key_yields_stale_key_evidence()
    {
        var a = new TestAuthor("till-1");
        Tally(a, 1);
        a.Rotate(1);
        var next = TestManifest.V1.CreateOp(TestManifest.AddTally, new AmountArgs("k", 9), a.Author, a.Log.Seq + 1, a.Log.Tip, a.Log.Branch(), 1, Guid.Empty);
        var stale = SignedOpCodec.Sign(next, TestAuthor.Ledger, a.Key(0));
        var evidence = new StaleKeyEvidence(TestAuthor.Ledger, a.Chain.Where(o => KeyEvents.IsKeyEvent(o.Op)).ToArray(), stale);
        var decoded = EvidenceCodec.Decode(evidence.Encode());
        Assert.True(decoded.Verify().Valid, decoded.Verify().Finding);
        // The current key's op is not stale: no evidence.
        var fresh = SignedOpCodec.Sign(next, TestAuthor.Ledger, a.Key(1));
        Assert.False(new StaleKeyEvidence(TestAuthor.Ledger, a.Chain.Where(o => KeyEvents.IsKeyEvent(o.Op)).ToArray(), fresh).Verify().Valid);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Mutated_evidence_fails_typed_or_does_not_verify()
    {
        var a = new TestAuthor("till-1");
        Tally(a, 1);
        var bytes = ClientForkEvidence.FromChain(TestAuthor.Ledger, a.Chain, Resign(a, 1, a.Key(0))).Encode();
        for (var i = 0; i < bytes.Length; i += 2)
        {
            var mutated = (byte[])bytes.Clone();
            mutated[i] ^= 0x20;
            try
            {
                var verdict = EvidenceCodec.Decode(mutated).Verify();
                Assert.False(verdict.Valid, $"a flip at byte {i} still proves the fork: {verdict.Finding}");
            }
            catch (LedgerFormatException)
            {
            }
        }

        // A ledger name that is no ledger name is a format error naming the field, not an ArgumentException.
        var renamed = (byte[])bytes.Clone();
        var at = renamed.AsSpan().IndexOf("test-ledger"u8);
        renamed[at + 4] = (byte)' ';
        var error = Assert.Throws<LedgerFormatException>(() => EvidenceCodec.Decode(renamed));
        Assert.Equal("ledger", error.Field);
    }
}
