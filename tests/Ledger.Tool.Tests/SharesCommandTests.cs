using Ledger.Signing.Recovery;

namespace Ledger.Tool.Tests;

public class SharesCommandTests
{
    private const string Secret = "3ce52ad7e8f0106415cf8afd35baa4626aa82f4a3ea17798c2384d794f4b3616";

    [Fact]
    [Trait("Risk", "A3")]
    public void Split_then_combine_round_trips_through_the_commands()
    {
        var split = ToolRun.Of(Secret + "\n", "shares", "split", "--threshold", "3", "--count", "5", "--iteration-exponent", "0");
        Assert.True(split.ExitCode == 0, split.ToString());
        Assert.Equal(5, split.Mnemonics.Length);
        Assert.Empty(split.Error);

        var combine = ToolRun.Of(string.Join('\n', split.Mnemonics[4], split.Mnemonics[0], split.Mnemonics[2]), "shares", "combine");
        Assert.True(combine.ExitCode == 0, combine.ToString());
        Assert.Equal(Secret + Environment.NewLine, combine.Output);
    }

    [Fact]
    [Trait("Risk", "A3")]
    public void Grouped_output_has_a_header_per_group_and_combine_reads_it_back_headers_included()
    {
        var split = ToolRun.Of(Secret.ToUpperInvariant(), "shares", "split", "--group-threshold", "2", "--group", "2/3", "--group=1/1",
            "--group", "3/5", "--passphrase", "TREZOR", "--no-extendable", "--iteration-exponent=0");
        Assert.True(split.ExitCode == 0, split.ToString());
        var headers = split.OutputLines.Where(l => l.StartsWith('#')).ToArray();
        Assert.Equal(3, headers.Length);
        Assert.StartsWith("# group 1 of 3: 2 of these 3 shares recover it; 2 of the 3 groups", headers[0], StringComparison.Ordinal);
        Assert.Equal(9, split.Mnemonics.Length);
        Assert.All(split.Mnemonics, m => Assert.False(Slip39.Decode(m).Extendable));

        // Group 2 (one share) with group 1 (two of three): copy the block as printed, header and blank line included.
        var lines = split.Output.Split('\n');
        var group1 = Array.FindIndex(lines, l => l.StartsWith("# group 1", StringComparison.Ordinal));
        var group2 = Array.FindIndex(lines, l => l.StartsWith("# group 2", StringComparison.Ordinal));
        var input = string.Join('\n', lines[group2], lines[group2 + 1], "", lines[group1], lines[group1 + 1], lines[group1 + 3]);
        var combine = ToolRun.Of(input, "shares", "combine", "--passphrase", "TREZOR");
        Assert.True(combine.ExitCode == 0, combine.ToString());
        Assert.Equal(Secret, combine.Output.Trim());
    }

    [Fact]
    public void Another_passphrase_recovers_another_secret_not_an_error()
    {
        var split = ToolRun.Of(Secret, "shares", "split", "--threshold", "1", "--count", "1", "--passphrase", "right", "--iteration-exponent", "0");
        var combine = ToolRun.Of(split.Output, "shares", "combine", "--passphrase", "wrong");
        Assert.Equal(0, combine.ExitCode);
        Assert.NotEqual(Secret, combine.Output.Trim());
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void An_invalid_set_exits_1_naming_the_problem_the_share_and_its_line()
    {
        var split = ToolRun.Of(Secret, "shares", "split", "--threshold", "2", "--count", "3", "--iteration-exponent", "0");
        var words = split.Mnemonics[1].Split(' ');
        words[9] = words[9] == "academic" ? "acid" : "academic";
        var input = $"# my shares\n{split.Mnemonics[0]}\n\n{string.Join(' ', words)}\n";

        var combine = ToolRun.Of(input, "shares", "combine");
        Assert.Equal(1, combine.ExitCode);
        Assert.Empty(combine.Output);
        Assert.Contains("BadChecksum: share 2, on line 4 (\"" + string.Join(' ', words.Take(4)) + " …\")", combine.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown word", "UnknownWord")]
    [InlineData("too few", "TooFewShares")]
    [InlineData("mixed sets", "MixedSets")]
    [Trait("Category", "BadInput")]
    public void Other_invalid_sets_exit_1_with_the_problem_named(string kind, string problem)
    {
        var a = ToolRun.Of(Secret, "shares", "split", "--threshold", "2", "--count", "3", "--iteration-exponent", "0").Mnemonics;
        var b = ToolRun.Of(Secret, "shares", "split", "--threshold", "2", "--count", "3", "--iteration-exponent", "0").Mnemonics;
        var input = kind switch
        {
            "unknown word" => a[0] + "\n" + a[1].Replace(a[1].Split(' ')[7], "bitcoin", StringComparison.Ordinal),
            "too few" => a[2],
            _ => a[0] + "\n" + b[1],
        };
        var combine = ToolRun.Of(input, "shares", "combine");
        Assert.Equal(1, combine.ExitCode);
        Assert.StartsWith($"ledger shares combine: {problem}", combine.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not hex")]
    [InlineData("abc")]
    [InlineData("00112233")]
    [Trait("Category", "BadInput")]
    public void A_secret_that_is_not_16_to_32_bytes_of_hex_exits_1(string input)
    {
        var split = ToolRun.Of(input, "shares", "split", "--threshold", "2", "--count", "3");
        Assert.Equal(1, split.ExitCode);
        Assert.Empty(split.Output);
        Assert.StartsWith("ledger shares split: ", split.Error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void No_shares_on_standard_input_exits_1()
    {
        var combine = ToolRun.Of("\n# nothing here\n", "shares", "combine");
        Assert.Equal(1, combine.ExitCode);
        Assert.Contains("no shares", combine.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shares", "split")]
    [InlineData("shares", "split", "--threshold", "2")]
    [InlineData("shares", "split", "--threshold", "two", "--count", "3")]
    [InlineData("shares", "split", "--threshold", "17", "--count", "17")]
    [InlineData("shares", "split", "--threshold", "3", "--count", "2")]
    [InlineData("shares", "split", "--threshold", "1", "--count", "3")]
    [InlineData("shares", "split", "--threshold", "2", "--count", "3", "--group", "2/3")]
    [InlineData("shares", "split", "--group", "2/3")]
    [InlineData("shares", "split", "--group-threshold", "1", "--group", "2-3")]
    [InlineData("shares", "split", "--group-threshold", "3", "--group", "2/3", "--group", "1/1")]
    [InlineData("shares", "split", "--threshold", "2", "--count", "3", "--extendable", "--no-extendable")]
    [InlineData("shares", "split", "--threshold", "2", "--count", "3", "--iteration-exponent", "16")]
    [InlineData("shares", "split", "--threshold", "2", "--count", "3", "--passphrase", "pässword")]
    [InlineData("shares", "split", "--threshold", "2", "--count", "3", "--colour")]
    [InlineData("shares", "split", "--threshold", "2", "--count", "3", "stray")]
    [InlineData("shares", "split", "--threshold", "2", "--threshold", "2", "--count", "3")]
    [InlineData("shares", "combine", "--passphrase")]
    [InlineData("shares", "combine", "--passphrase", "tab\there")]
    [InlineData("shares")]
    [InlineData("shares", "splat")]
    [InlineData("verify-everything")]
    public void A_wrong_command_line_exits_2_with_usage(params string[] arguments)
    {
        var run = ToolRun.Of("000102030405060708090a0b0c0d0e0f\n", arguments);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Empty(run.Output);
        Assert.Contains("Usage:", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData("shares", "--help")]
    public void Help_lists_the_commands_and_exits_0(params string[] arguments)
    {
        var run = ToolRun.Of("", arguments);
        Assert.Equal(0, run.ExitCode);
        if (arguments.Contains("shares"))
        {
            Assert.Contains("split", run.Output, StringComparison.Ordinal);
            Assert.Contains("combine", run.Output, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("shares", run.Output, StringComparison.Ordinal);
            Assert.Contains("verify <chain-file>", run.Output, StringComparison.Ordinal);
            Assert.Contains(ExitCodes.Text, run.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("split", "--group-threshold")]
    [InlineData("combine", "--passphrase")]
    public void A_command_help_shows_its_options_and_exits_0(string command, string option)
    {
        var run = ToolRun.Of("", "shares", command, "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"ledger shares {command} [options]", run.Output, StringComparison.Ordinal);
        Assert.Contains(option, run.Output, StringComparison.Ordinal);
        Assert.Contains(ExitCodes.Text, run.Output, StringComparison.Ordinal);
    }
}
