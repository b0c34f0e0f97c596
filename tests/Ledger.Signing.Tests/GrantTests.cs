using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Signing.Tests;

public class GrantTests
{
    private static LedgerKernel Kernel() => new(KeyEvents.Use(new KernelOptions().Use(Grants.Manifest)));

    /// <summary>Folds the ops in the given relay order, as every replica does once the logs meet.</summary>
    private static LedgerKernel Fold(params SignedOp[][] chains)
    {
        var kernel = Kernel();
        kernel.AdvanceRelayFrontier(long.MaxValue);
        long position = 0;
        foreach (var chain in chains)
        {
            foreach (var op in chain) kernel.Apply(op.Op, position++);
        }

        return kernel;
    }

    [Fact]
    [Trait("Risk", "E3")]
    public void A_bound_grant_forwarded_to_another_device_fails_with_a_clear_reason()
    {
        var issuer = new TestAuthor("hq");
        var alice = new TestAuthor("alice-phone");
        var bob = new TestAuthor("bob-phone");
        var grant = Grant.Issue(TestAuthor.Ledger, "card-1", issuer.Author, issuer.Key(0), GrantKind.Bound, 5000, singleUse: false);
        var aliceOpens = Grants.RedeemOn(alice.Log, grant, "coffee-1");
        var aliceAgain = Grants.RedeemOn(alice.Log, grant, "coffee-2");
        var bobTries = Grants.RedeemOn(bob.Log, grant, "forwarded");

        var kernel = Fold([alice.Chain[0], aliceOpens, aliceAgain], [bob.Chain[0], bobTries]);
        Assert.True(kernel.State.TryGet(Grants.Rows, grant.ClaimKey, out var row));
        Assert.Equal(alice.Author.Value, row.BoundTo);
        Assert.Equal(2, row.Uses);
        var refusal = Assert.Single(kernel.State.Rows(Grants.Refusals)).Value;
        Assert.Equal("bound-elsewhere", refusal.Reason);
        Assert.Equal(bob.Author.Value, refusal.Claimant);
        Assert.Equal(alice.Author.Value, refusal.Holder);
    }

    [Fact]
    [Trait("Risk", "E3")]
    public void A_bearer_grant_works_on_any_device()
    {
        var issuer = new TestAuthor("hq");
        var alice = new TestAuthor("alice-phone");
        var bob = new TestAuthor("bob-phone");
        var grant = Grant.Issue(TestAuthor.Ledger, "voucher-7", issuer.Author, issuer.Key(0), GrantKind.Bearer, 500, singleUse: false);
        var kernel = Fold([alice.Chain[0], Grants.RedeemOn(alice.Log, grant, "a")], [bob.Chain[0], Grants.RedeemOn(bob.Log, grant, "b")]);
        Assert.True(kernel.State.TryGet(Grants.Rows, grant.ClaimKey, out var row));
        Assert.Equal(2, row.Uses);
        Assert.Empty(kernel.State.Rows(Grants.Refusals));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Risk", "E3")]
    public void A_single_use_offer_claimed_twice_offline_is_caught_when_the_logs_meet_and_attributed_to_both(bool bobFirst)
    {
        var issuer = new TestAuthor("hq");
        var alice = new TestAuthor("alice-phone");
        var bob = new TestAuthor("bob-phone");
        var offer = Grant.Issue(TestAuthor.Ledger, "offer-1", issuer.Author, issuer.Key(0), GrantKind.Bearer, 1000, singleUse: true);
        // Both devices redeem while offline: each alone sees a valid redemption.
        var aliceChain = new[] { alice.Chain[0], Grants.RedeemOn(alice.Log, offer, "order-a") };
        var bobChain = new[] { bob.Chain[0], Grants.RedeemOn(bob.Log, offer, "order-b") };
        Assert.Empty(Fold(aliceChain).State.Rows(Grants.Refusals));
        Assert.Empty(Fold(bobChain).State.Rows(Grants.Refusals));

        var met = bobFirst ? Fold(bobChain, aliceChain) : Fold(aliceChain, bobChain);
        var (first, second) = bobFirst ? (bob, alice) : (alice, bob);
        var finding = Assert.Single(met.State.Rows(Grants.Refusals)).Value;
        Assert.Equal("double-claim", finding.Reason);
        Assert.Equal(second.Author.Value, finding.Claimant);
        Assert.Equal(first.Author.Value, finding.Holder);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    [Trait("Risk", "E3")]
    public void A_grant_naming_no_valid_ledger_is_refused_when_decoded_like_a_signed_op()
    {
        var issuer = new TestAuthor("hq");
        var grant = Grant.Issue(TestAuthor.Ledger, "card-9", issuer.Author, issuer.Key(0), GrantKind.Bearer, 5000, singleUse: false);
        var bytes = grant.Bytes.ToArray();
        var at = bytes.AsSpan().IndexOf("test-ledger"u8);
        "test ledger"u8.CopyTo(bytes.AsSpan(at));
        var error = Assert.Throws<LedgerFormatException>(() => Grant.Decode(bytes));
        Assert.Equal("ledger", error.Field);
        Assert.Equal(FormatProblem.InvalidValue, error.Problem);
    }

    [Fact]
    [Trait("Risk", "E3")]
    public void A_forged_grant_is_refused_on_every_replica()
    {
        var issuer = new TestAuthor("hq");
        var alice = new TestAuthor("alice-phone");
        var grant = Grant.Issue(TestAuthor.Ledger, "card-9", issuer.Author, issuer.Key(0), GrantKind.Bearer, 5000, singleUse: false);
        var bytes = grant.Bytes.ToArray();
        bytes[^1] ^= 0x01;
        var op = alice.Log.Append(Grants.Manifest, Grants.RedeemVerb, new RedeemArgs(bytes, "x"), claimKey: grant.ClaimKey);
        var kernel = Kernel();
        kernel.AdvanceRelayFrontier(long.MaxValue);
        kernel.Apply(alice.Chain[0].Op, 0);
        Assert.Equal("rule:bad-grant-signature", kernel.Apply(op.Op, 1).RefusalCode);
    }

    [Fact]
    [Trait("Risk", "E3")]
    public void Nobody_can_pre_empt_a_grant_id_they_did_not_issue()
    {
        var issuer = new TestAuthor("hq");
        var mallory = new TestAuthor("mallory");
        var alice = new TestAuthor("alice-phone");
        var offer = Grant.Issue(TestAuthor.Ledger, "offer-1", issuer.Author, issuer.Key(0), GrantKind.Bearer, 1000, singleUse: true);
        // Mallory signs a grant of her own with the same id, even naming hq as issuer, and redeems it first.
        var squat = Grant.Issue(TestAuthor.Ledger, "offer-1", issuer.Author, mallory.Key(0), GrantKind.Bearer, 1, singleUse: true);
        Assert.NotEqual(offer.ClaimKey, squat.ClaimKey);
        Assert.Matches("^grant:[0-9a-f]{32}$", offer.ClaimKey);
        var kernel = Fold([mallory.Chain[0], Grants.RedeemOn(mallory.Log, squat, "squat")], [alice.Chain[0], Grants.RedeemOn(alice.Log, offer, "order-a")]);
        Assert.Empty(kernel.State.Rows(Grants.Refusals));
        Assert.True(kernel.State.TryGet(Grants.Rows, offer.ClaimKey, out var row));
        Assert.Equal(1, row.Uses);
    }
}
