using FsCheck;
using FsCheck.Fluent;
using Ledger.Signing.Recovery;

namespace Ledger.Signing.Tests.Recovery;

/// <summary>Shares are typed by people: every malformed input answers with a <see cref="ShareException"/>.</summary>
public class Slip39BadInputTests
{
    private static readonly byte[] Secret = Convert.FromHexString("d1d322618c659b4c2b8fab1b526c54d925a1238b3dc4a553bd02e629646f3bac");

    private static readonly IReadOnlyList<string> Words = Enumerable.Range(0, 1024).Select(Slip39Wordlist.Word).ToArray();

    private static IReadOnlyList<string> Shares(int seed, bool extendable = true, int length = 32) =>
        Slip39.Split(Secret.AsSpan(0, length), 2, 3, extendable: extendable, iterationExponent: 0, random: new DeterministicRandom(seed)).Groups[0].Mnemonics;

    private static ShareException Fails(IEnumerable<string> mnemonics) => Assert.Throws<ShareException>(() => Slip39.Combine(mnemonics));

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    [Trait("Category", "BadInput")]
    public void A_share_truncated_at_every_word_or_character_fails_typed(int length)
    {
        var shares = Shares(11, length: length);
        var words = shares[0].Split(' ');
        for (var count = 0; count < words.Length; count++)
        {
            var error = Fails([string.Join(' ', words.Take(count)), shares[1]]);
            Assert.Equal(0, error.ShareIndex);
            Assert.True(error.Problem is ShareProblem.BadLength or ShareProblem.BadChecksum, $"{count} words: {error.Message}");
        }

        for (var chars = 0; chars < shares[0].Length; chars++)
        {
            var truncated = shares[0][..chars];
            if (truncated.EndsWith(' '))
            {
                continue; // the same word list as the truncation before the space
            }

            Assert.Equal(0, Fails([truncated, shares[1]]).ShareIndex);
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Any_one_word_replaced_by_another_list_word_fails_the_checksum()
    {
        // RS1024 detects every error in up to three words; try every position with several words.
        var random = new Random(5);
        foreach (var extendable in new[] { true, false })
        {
            var shares = Shares(12, extendable);
            var words = shares[1].Split(' ');
            for (var position = 0; position < words.Length; position++)
            {
                for (var attempt = 0; attempt < 8; attempt++)
                {
                    var mutated = (string[])words.Clone();
                    do
                    {
                        mutated[position] = Words[random.Next(1024)];
                    }
                    while (mutated[position] == words[position]);

                    var error = Fails([shares[0], string.Join(' ', mutated)]);
                    Assert.Equal((ShareProblem.BadChecksum, 1), (error.Problem, error.ShareIndex));
                }
            }
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Any_two_adjacent_words_swapped_fail_the_checksum()
    {
        var shares = Shares(13);
        var words = shares[2].Split(' ');
        for (var position = 0; position + 1 < words.Length; position++)
        {
            if (words[position] == words[position + 1])
            {
                continue;
            }

            var mutated = (string[])words.Clone();
            (mutated[position], mutated[position + 1]) = (mutated[position + 1], mutated[position]);
            var error = Fails([string.Join(' ', mutated), shares[0]]);
            Assert.Equal((ShareProblem.BadChecksum, 0), (error.Problem, error.ShareIndex));
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Any_one_letter_changed_makes_an_unknown_word_that_is_named()
    {
        // The list keeps every two words at edit distance 2 or more, so one changed letter never
        // lands on another word.
        var shares = Shares(14);
        var words = shares[0].Split(' ');
        var random = new Random(6);
        for (var position = 0; position < words.Length; position++)
        {
            var letters = words[position].ToCharArray();
            var at = random.Next(letters.Length);
            letters[at] = letters[at] == 'z' ? 'a' : (char)(letters[at] + 1 + random.Next('z' - letters[at]));
            var typo = new string(letters);
            var mutated = (string[])words.Clone();
            mutated[position] = typo;
            var error = Fails([string.Join(' ', mutated), shares[1]]);
            Assert.Equal((ShareProblem.UnknownWord, 0), (error.Problem, error.ShareIndex));
            Assert.Contains($"word {position + 1} \"{typo}\"", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Random_text_never_escapes_as_another_exception_type()
    {
        var text = Gen.OneOf(
            ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""),
            Gen.Elements(Words).ArrayOf().Select(w => string.Join(' ', w)),
            Gen.Elements("academic", "acid", "zero", "ACID", "\u00A0", "\t", "\u0000", "𝄞", "acıd").ArrayOf().Select(w => string.Join(' ', w)));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(Arb.From(text.ArrayOf()), (string[] mnemonics) =>
        {
            Assert.Throws<ShareException>(() => Slip39.Combine(mnemonics));
        }));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Random_well_checksummed_shares_combine_or_fail_typed_never_otherwise()
    {
        // Words with a valid checksum reach every check past the checksum: lengths, padding,
        // thresholds, set consistency, duplicates and the digest.
        var share = from extendable in Gen.Elements(true, false)
                    from valueWords in Gen.Elements(13, 15, 16, 18, 20, 21, 23, 24, 26, 14, 17)
                    from prefix in Gen.Choose(0, 1023).ArrayOf(4)
                    from value in Gen.Choose(0, 1023).ArrayOf(valueWords)
                    select Checksummed(extendable, [.. prefix, .. value]);
        var set = share.ArrayOf().Select(s => s.ToList());
        var related = Gen.Choose(0, int.MaxValue).Select(RelatedShares);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(Arb.From(Gen.OneOf(set, related)), (List<string> mnemonics) =>
        {
            try
            {
                Slip39.Combine(mnemonics);
            }
            catch (ShareException)
            {
            }
        }));
    }

    /// <summary>Shares that agree on identifier and flags but carry random indices, thresholds and values.</summary>
    private static List<string> RelatedShares(int seed)
    {
        var random = new Random(seed);
        var id = random.Next(1 << 15);
        var groupCount = random.Next(1, 4);
        var groupThreshold = random.Next(1, groupCount + 1);
        return Enumerable.Range(0, random.Next(1, 6)).Select(_ =>
        {
            var parameters = (random.Next(groupCount) << 16) | ((groupThreshold - 1) << 12) | ((groupCount - 1) << 8) | (random.Next(3) << 4) | random.Next(3);
            int[] data = [id >> 5, ((id & 31) << 5) | 16, parameters >> 10, parameters & 1023, .. Enumerable.Range(0, 13).Select(_ => random.Next(random.Next(2) == 0 ? 256 : 1024))];
            return Checksummed(true, data);
        }).ToList();
    }

    private static string Checksummed(bool extendable, int[] data)
    {
        data[1] = (data[1] & ~16) | (extendable ? 16 : 0);
        var words = new int[data.Length + Rs1024.ChecksumWords];
        data.CopyTo(words, 0);
        Rs1024.Create(extendable, data, words.AsSpan(data.Length));
        return string.Join(' ', words.Select(Slip39Wordlist.Word));
    }
}
