using FsCheck;
using FsCheck.Fluent;
using Ledger.Signing.Recovery;

namespace Ledger.Signing.Tests.Recovery;

public class Slip39PropertyTests
{
    [Fact]
    [Trait("Risk", "A3")]
    public void Any_qualifying_subset_of_a_random_split_combines_to_the_secret()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(SplitScenario.Arbitrary, scenario =>
        {
            var set = scenario.Split();
            var subset = scenario.QualifyingSubset(set, new Random(scenario.Seed));
            Assert.Equal(scenario.Secret, Slip39.Combine(subset, scenario.Passphrase));
        }));
    }

    [Fact]
    [Trait("Risk", "A3")]
    public void Any_subset_one_short_of_the_threshold_fails_with_too_few_shares()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(SplitScenario.Arbitrary, scenario =>
        {
            var set = scenario.Split();
            var subset = scenario.ShortSubset(set, new Random(scenario.Seed));
            var error = Assert.Throws<ShareException>(() => Slip39.Combine(subset, scenario.Passphrase));
            Assert.Equal(ShareProblem.TooFewShares, error.Problem);
        }));
    }

    [Fact]
    [Trait("Risk", "A3")]
    public void Every_share_of_a_random_split_decodes_to_its_parameters()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(SplitScenario.Arbitrary, scenario =>
        {
            var set = scenario.Split();
            Assert.Equal(scenario.Groups.Length, set.Groups.Count);
            foreach (var group in set.Groups)
            {
                Assert.Equal(scenario.Groups[group.GroupIndex].MemberCount, group.Mnemonics.Count);
                for (var member = 0; member < group.Mnemonics.Count; member++)
                {
                    var share = Slip39.Decode(group.Mnemonics[member]);
                    Assert.Equal((set.Identifier, scenario.Extendable, scenario.IterationExponent), (share.Identifier, share.Extendable, share.IterationExponent));
                    Assert.Equal((group.GroupIndex, scenario.GroupThreshold, scenario.Groups.Length), (share.GroupIndex, share.GroupThreshold, share.GroupCount));
                    Assert.Equal((member, group.MemberThreshold), (share.MemberIndex, share.MemberThreshold));
                    Assert.Equal(scenario.Secret.Length, share.Value.Length);
                    Assert.InRange(share.Identifier, 0, 0x7FFF);
                }
            }
        }));
    }

    [Fact]
    public void A_split_is_reproducible_from_its_random_source_and_differs_with_another()
    {
        var secret = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
        var a = Slip39.Split(secret, 2, 3, iterationExponent: 0, random: new DeterministicRandom(1)).AllMnemonics;
        var b = Slip39.Split(secret, 2, 3, iterationExponent: 0, random: new DeterministicRandom(1)).AllMnemonics;
        var c = Slip39.Split(secret, 2, 3, iterationExponent: 0, random: new DeterministicRandom(2)).AllMnemonics;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
