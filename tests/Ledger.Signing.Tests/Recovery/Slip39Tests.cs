using Ledger.Signing.Recovery;

namespace Ledger.Signing.Tests.Recovery;

public class Slip39Tests
{
    private static readonly byte[] Secret128 = Convert.FromHexString("c67a7c01ee99508673a363a60f70df5a");
    private static readonly byte[] Secret256 = Convert.FromHexString("f57017077bf01b6eaab7266190fedd4301f2d4938f00432d3b38b53d880cb7bc");

    private static ShareSet TwoOfThree(byte[]? secret = null, string passphrase = "", bool extendable = true, int seed = 7) =>
        Slip39.Split(secret ?? Secret128, 2, 3, passphrase, extendable, iterationExponent: 0, new DeterministicRandom(seed));

    [Fact]
    public void A_single_level_split_is_one_group_with_group_threshold_one()
    {
        var set = TwoOfThree();
        Assert.Equal(1, set.GroupThreshold);
        var group = Assert.Single(set.Groups);
        Assert.Equal(2, group.MemberThreshold);
        Assert.Equal(3, group.Mnemonics.Count);
        Assert.All(group.Mnemonics, m => Assert.Equal(20, m.Split(' ').Length));
        Assert.All(TwoOfThree(Secret256).AllMnemonics, m => Assert.Equal(33, m.Split(' ').Length));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Both_formats_round_trip_and_the_flag_is_printed_in_every_share(bool extendable)
    {
        var set = TwoOfThree(Secret256, "TREZOR", extendable);
        Assert.All(set.AllMnemonics, m => Assert.Equal(extendable, Slip39.Decode(m).Extendable));
        Assert.Equal(Secret256, Slip39.Combine(set.Groups[0].Mnemonics.Skip(1), "TREZOR"));
    }

    [Fact]
    public void Another_passphrase_gives_another_secret_without_error_as_slip39_intends()
    {
        var set = TwoOfThree(passphrase: "right");
        var other = Slip39.Combine(set.Groups[0].Mnemonics.Take(2), "wrong");
        Assert.Equal(Secret128.Length, other.Length);
        Assert.NotEqual(Secret128, other);
    }

    [Fact]
    public void Extendable_splits_of_one_encrypted_secret_under_different_identifiers_give_the_same_secret_per_passphrase()
    {
        var first = TwoOfThree(passphrase: "p", seed: 1);
        var second = TwoOfThree(passphrase: "p", seed: 2);
        Assert.NotEqual(first.Identifier, second.Identifier);
        foreach (var passphrase in new[] { "p", "decoy" })
        {
            Assert.Equal(Slip39.Combine(first.Groups[0].Mnemonics.Take(2), passphrase), Slip39.Combine(second.Groups[0].Mnemonics.Skip(1), passphrase));
        }
    }

    [Fact]
    public void Words_are_read_in_any_case_and_with_any_white_space()
    {
        var shares = TwoOfThree().Groups[0].Mnemonics;
        var messy = "  " + shares[0].ToUpperInvariant().Replace(" ", " \t ", StringComparison.Ordinal) + "\r\n";
        Assert.Equal(Secret128, Slip39.Combine([messy, shares[2]]));
    }

    [Fact]
    public void A_share_given_twice_counts_once()
    {
        var shares = TwoOfThree().Groups[0].Mnemonics;
        Assert.Equal(Secret128, Slip39.Combine([shares[0], shares[0].ToUpperInvariant(), shares[1]]));
        var error = Assert.Throws<ShareException>(() => Slip39.Combine([shares[0], shares[0]]));
        Assert.Equal(ShareProblem.TooFewShares, error.Problem);
    }

    [Fact]
    public void More_shares_than_the_threshold_are_refused_so_that_every_share_given_is_checked()
    {
        var error = Assert.Throws<ShareException>(() => Slip39.Combine(TwoOfThree().AllMnemonics));
        Assert.Equal(ShareProblem.TooManyShares, error.Problem);
        Assert.Contains("needs exactly 2 shares; 3 given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_layout_sixteen_groups_of_sixteen_round_trips()
    {
        var groups = Enumerable.Repeat(new GroupSpec(16, 16), 16).ToArray();
        var set = Slip39.Split(Secret256, 16, groups, iterationExponent: 0, random: new DeterministicRandom(3));
        Assert.Equal(256, set.AllMnemonics.Count());
        Assert.Equal(Secret256, Slip39.Combine(set.AllMnemonics));
    }

    [Fact]
    public void An_error_names_the_share_by_position_and_prefix_but_never_shows_its_value_words()
    {
        var shares = TwoOfThree().Groups[0].Mnemonics;
        var words = shares[1].Split(' ');
        words[6] = words[6] == "academic" ? "acid" : "academic";
        var error = Assert.Throws<ShareException>(() => Slip39.Combine([shares[0], string.Join(' ', words)]));
        Assert.Equal(ShareProblem.BadChecksum, error.Problem);
        Assert.Equal(1, error.ShareIndex);
        Assert.Equal(string.Join(' ', words.Take(4)), error.SharePrefix);
        Assert.StartsWith($"BadChecksum: share 2 (\"{error.SharePrefix} …\")", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(string.Join(' ', words.Skip(4).Take(3)), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decoded_share_prints_its_prefix_and_parameters_but_not_its_value()
    {
        var mnemonic = TwoOfThree().Groups[0].Mnemonics[2];
        var share = Slip39.Decode(mnemonic);
        Assert.Equal(string.Join(' ', mnemonic.Split(' ').Take(4)), share.Prefix);
        Assert.DoesNotContain(mnemonic.Split(' ')[10], share.ToString().Split(' ').Skip(4));
        Assert.Contains("member 3, need 2", share.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(34)]
    [InlineData(64)]
    public void A_master_secret_outside_16_to_32_even_bytes_is_refused(int length)
    {
        var error = Assert.Throws<ShareException>(() => Slip39.Split(new byte[length], 1, 1));
        Assert.Equal(ShareProblem.BadLength, error.Problem);
        Assert.Null(error.ShareIndex);
    }

    [Theory]
    [InlineData(1, new[] { 1, 2 })]   // 1-of-2 shares differ only in index and checksum
    [InlineData(1, new[] { 3, 2 })]   // threshold above count
    [InlineData(1, new[] { 0, 0 })]
    [InlineData(1, new[] { 2, 17 })]  // above 16 members
    [InlineData(3, new[] { 1, 1, 1, 1 })] // group threshold above group count
    [InlineData(0, new[] { 1, 1 })]
    public void Thresholds_and_counts_outside_the_rules_are_refused(int groupThreshold, int[] layout)
    {
        var groups = layout.Chunk(2).Select(p => new GroupSpec(p[0], p[1])).ToArray();
        var error = Assert.Throws<ShareException>(() => Slip39.Split(Secret128, groupThreshold, groups));
        Assert.Equal(ShareProblem.BadThreshold, error.Problem);
    }

    [Fact]
    public void More_than_sixteen_groups_or_none_are_refused()
    {
        Assert.Equal(ShareProblem.BadThreshold, Assert.Throws<ShareException>(() => Slip39.Split(Secret128, 1, Enumerable.Repeat(GroupSpec.Single, 17).ToArray())).Problem);
        Assert.Equal(ShareProblem.BadThreshold, Assert.Throws<ShareException>(() => Slip39.Split(Secret128, 1, Array.Empty<GroupSpec>())).Problem);
    }

    [Theory]
    [InlineData("pässword")]
    [InlineData("tab\there")]
    [InlineData("new\nline")]
    [InlineData("del\u007f")]
    public void A_passphrase_outside_printable_ascii_is_refused_on_split_and_combine(string passphrase)
    {
        Assert.Equal(ShareProblem.InvalidPassphrase, Assert.Throws<ShareException>(() => Slip39.Split(Secret128, 1, 1, passphrase)).Problem);
        var shares = TwoOfThree().Groups[0].Mnemonics.Take(2);
        Assert.Equal(ShareProblem.InvalidPassphrase, Assert.Throws<ShareException>(() => Slip39.Combine(shares, passphrase)).Problem);
    }

    [Fact]
    public void Every_printable_ascii_character_is_a_valid_passphrase_character()
    {
        var passphrase = new string(Enumerable.Range(32, 95).Select(c => (char)c).ToArray());
        var set = TwoOfThree(passphrase: passphrase);
        Assert.Equal(Secret128, Slip39.Combine(set.Groups[0].Mnemonics.Take(2), passphrase));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(16)]
    public void An_iteration_exponent_outside_its_four_bits_is_an_argument_error(int exponent)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Slip39.Split(Secret128, 1, 1, iterationExponent: exponent));
    }

    [Fact]
    public void The_iteration_exponent_scales_pbkdf2_and_is_part_of_the_encryption()
    {
        var e0 = Slip39.Split(Secret128, 1, 1, iterationExponent: 0, random: new DeterministicRandom(5)).AllMnemonics.Single();
        var e2 = Slip39.Split(Secret128, 1, 1, iterationExponent: 2, random: new DeterministicRandom(5)).AllMnemonics.Single();
        Assert.Equal(0, Slip39.Decode(e0).IterationExponent);
        Assert.Equal(2, Slip39.Decode(e2).IterationExponent);
        Assert.False(Slip39.Decode(e0).Value.SequenceEqual(Slip39.Decode(e2).Value));
        Assert.Equal(Secret128, Slip39.Combine([e2]));
    }

    /// <summary>A share's 4-bit iteration exponent is read before anything authenticates it: 15 would run 327,680,000
    /// PBKDF2 iterations (minutes) before the digest check could refuse the share. Refused at once, typed.</summary>
    [Fact]
    [Trait("Category", "BadInput")]
    public void Shares_asking_for_an_iteration_exponent_above_the_cap_are_refused_typed_before_any_stretching()
    {
        var honest = TwoOfThree().Groups[0].Mnemonics.Take(2).Select(Slip39.Decode).ToArray();
        var hostile = honest.Select(s => new Slip39Share(s.Identifier, s.Extendable, Slip39.MaxIterationExponent, s.GroupIndex, s.GroupThreshold,
            s.GroupCount, s.MemberIndex, s.MemberThreshold, s.ValueArray).ToMnemonic()).ToArray();
        Assert.Equal(Slip39.MaxIterationExponent, Slip39.Decode(hostile[0]).IterationExponent);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<ShareException>(() => Slip39.Combine(hostile));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"refusing took {clock.Elapsed}");
        Assert.Equal(ShareProblem.CostTooHigh, error.Problem);
        Assert.Contains("iteration exponent 15", error.Message, StringComparison.Ordinal);

        // The cap is the caller's: a lower one refuses shares the default accepts, and the bounds are checked.
        var e2 = Slip39.Split(Secret128, 1, 1, iterationExponent: 2, random: new DeterministicRandom(5)).AllMnemonics.Single();
        Assert.Equal(ShareProblem.CostTooHigh, Assert.Throws<ShareException>(() => Slip39.Combine([e2], maxIterationExponent: 1)).Problem);
        Assert.Equal(Secret128, Slip39.Combine([e2], maxIterationExponent: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Slip39.Combine([e2], maxIterationExponent: 16));
    }
}
