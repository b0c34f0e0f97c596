using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Signing.Recovery;
using Ledger.TestDomain;

namespace Ledger.Signing.Tests;

public class RecoveryEndToEndTests
{
    private const string Ledger = TestAuthor.Ledger;

    private static (byte[] Master, IReadOnlyList<string> Shares) Secret()
    {
        var master = Hash32.Sha256("the foreman's master secret"u8).ToArray()[..16];
        var set = Slip39.Split(master, threshold: 3, count: 5, passphrase: "", extendable: true, iterationExponent: 0);
        return (master, set.AllMnemonics.ToArray());
    }

    [Fact]
    [Trait("Risk", "A3")]
    [Trait("Risk", "E1")]
    public void A_wiped_device_recovers_with_k_shares_rotates_on_the_fetched_tip_and_its_new_ops_chain_with_the_old()
    {
        var (master, shares) = Secret();
        var relay = new List<SignedOp>();
        var device = AuthorRecovery.Incept(Ledger, "foreman", master, out var inception, new SteppingClock());
        relay.Add(inception);
        for (var i = 0; i < 40; i++) relay.Add(device.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("snags", 1)));
        var author = device.Author;
        device = null; // the phone is wiped: no key, no chain, no master secret on it

        var recovered = Slip39.Combine(new[] { shares[4], shares[0], shares[2] });
        Assert.Equal(master, recovered);
        var tip = AuthorRecovery.FetchTip(Ledger, relay);
        Assert.Equal(41UL, tip.Seq);
        var log = AuthorRecovery.Recover(recovered, tip, out var rotation, new SteppingClock(1_800_000_000_000));
        relay.Add(rotation);
        Assert.Equal(author, log.Author);
        Assert.Equal(42UL, rotation.Op.Seq);
        for (var i = 0; i < 5; i++) relay.Add(log.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("snags", 1)));

        var report = ChainVerifier.Verify(Ledger, relay);
        Assert.True(report.Ok, report.ToString());
        Assert.Equal(47, report.Length);
        Assert.Equal(1u, report.Keys!.KeyIndex);
    }

    [Fact]
    [Trait("Risk", "A3")]
    public void K_minus_one_shares_fail_clearly()
    {
        var (_, shares) = Secret();
        var e = Assert.Throws<ShareException>(() => Slip39.Combine(new[] { shares[1], shares[3] }));
        Assert.Equal(ShareProblem.TooFewShares, e.Problem);
        Assert.Contains("TooFewShares", e.Message);
    }

    [Fact]
    [Trait("Risk", "A3")]
    public void A_secret_that_does_not_derive_the_committed_next_key_is_refused_before_signing_anything()
    {
        var (master, _) = Secret();
        var relay = new List<SignedOp>();
        AuthorRecovery.Incept(Ledger, "foreman", master, out var inception, new SteppingClock());
        relay.Add(inception);
        var wrong = Hash32.Sha256("another secret"u8).ToArray()[..16];
        var e = Assert.Throws<RecoveryException>(() => AuthorRecovery.Recover(wrong, AuthorRecovery.FetchTip(Ledger, relay), out _));
        Assert.Contains("does not derive the next key", e.Message);
    }

    [Fact]
    [Trait("Risk", "A3")]
    [Trait("Risk", "D4")]
    public void Re_signing_an_existing_seq_after_recovery_yields_client_fork_evidence_and_a_proper_recovery_is_the_way_out()
    {
        var (master, shares) = Secret();
        var relay = new List<SignedOp>();
        var device = AuthorRecovery.Incept(Ledger, "foreman", master, out var inception, new SteppingClock());
        relay.Add(inception);
        for (var i = 0; i < 10; i++) relay.Add(device.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("snags", 1)));

        // A careless restore: the device recovers from a stale copy of its chain (seq 6) instead of fetching the tip.
        var combined = Slip39.Combine(shares.Take(3));
        var stale = AuthorRecovery.FetchTip(Ledger, relay.Take(6).ToList());
        AuthorRecovery.Recover(combined, stale, out var forkedRotation, new SteppingClock(1_900_000_000_000));
        Assert.Equal(7UL, forkedRotation.Op.Seq);

        // The relay already holds a different seq 7: the re-signed seq is a fork, with evidence anyone can check.
        var verifier = AuthorChainVerifier.Resume(Ledger, stale.Author, relay[^1].Op.Seq, relay[^1].ChainHash, ChainVerifier.Verify(Ledger, relay).Keys!);
        Assert.False(verifier.Check(forkedRotation).IsOk);
        var evidence = ClientForkEvidence.FromChain(Ledger, relay, forkedRotation);
        Assert.True(evidence.Verify().Valid, evidence.Verify().Finding);

        // The way out: fetch the real tip and rotate by the next key, chained on the accepted op.
        var log = AuthorRecovery.Recover(combined, AuthorRecovery.FetchTip(Ledger, relay), out var rotation, new SteppingClock(1_900_000_100_000));
        relay.Add(rotation);
        relay.Add(log.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs("snags", 1)));
        Assert.True(ChainVerifier.Verify(Ledger, relay).Ok);
    }
}
