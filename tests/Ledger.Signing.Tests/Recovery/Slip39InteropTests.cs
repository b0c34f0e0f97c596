using Ledger.Signing.Recovery;

namespace Ledger.Signing.Tests.Recovery;

/// <summary>Shares made by an independent SLIP-0039 implementation combine here to the secret it
/// found, and sets it rejects are rejected here with the expected problem and share.</summary>
public class Slip39InteropTests
{
    public static TheoryData<string> Valid => InteropVectors.Valid;

    public static TheoryData<string> Invalid => InteropVectors.Invalid;

    [Theory]
    [MemberData(nameof(Valid))]
    [Trait("Risk", "A3")]
    public void Shares_of_another_implementation_combine_to_its_secret(string description)
    {
        var vector = InteropVectors.Named(description);
        var secret = Slip39.Combine(vector.Mnemonics, vector.Passphrase);
        Assert.Equal(vector.Secret, Convert.ToHexStringLower(secret));
    }

    [Theory]
    [MemberData(nameof(Valid))]
    [Trait("Risk", "A3")]
    public void Shares_of_another_implementation_re_encode_to_the_same_words(string description)
    {
        foreach (var mnemonic in InteropVectors.Named(description).Mnemonics)
        {
            Assert.Equal(mnemonic, Slip39.Decode(mnemonic).ToMnemonic());
        }
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    [Trait("Category", "BadInput")]
    public void Sets_another_implementation_rejects_fail_with_the_expected_problem_and_share(string description)
    {
        var vector = InteropVectors.Named(description);
        var error = Assert.Throws<ShareException>(() => Slip39.Combine(vector.Mnemonics, vector.Passphrase));
        Assert.Equal(vector.Error, error.Problem);
        Assert.Equal(vector.ErrorShare, error.ShareIndex);
        if (vector.ErrorShare is { } index)
        {
            Assert.Contains($"share {index + 1} ", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_vector_file_covers_both_formats_groups_passphrases_lengths_and_every_set_problem()
    {
        var valid = InteropVectors.Vectors.Where(v => v.Secret is not null).ToList();
        var shares = valid.SelectMany(v => v.Mnemonics).Select(Slip39.Decode).ToList();
        Assert.Contains(shares, s => s.Extendable);
        Assert.Contains(shares, s => !s.Extendable);
        Assert.Contains(shares, s => s.GroupCount > 1 && s.GroupThreshold > 1);
        Assert.Contains(shares, s => s.IterationExponent > 0);
        Assert.Contains(valid, v => v.Passphrase.Length > 0);
        Assert.Contains(valid, v => v.Passphrase.Length == 0);
        Assert.Contains(valid, v => v.Secret!.Length == 32);
        Assert.Contains(valid, v => v.Secret!.Length == 64);

        var problems = InteropVectors.Vectors.Where(v => v.Error is not null).Select(v => v.Error!.Value).ToHashSet();
        ShareProblem[] expected =
        [
            ShareProblem.BadChecksum, ShareProblem.UnknownWord, ShareProblem.BadPadding, ShareProblem.BadLength,
            ShareProblem.TooFewShares, ShareProblem.TooManyShares, ShareProblem.MixedSets, ShareProblem.DuplicateMemberIndex,
            ShareProblem.BadThreshold, ShareProblem.DigestMismatch,
        ];
        Assert.Empty(expected.Except(problems));
    }
}
