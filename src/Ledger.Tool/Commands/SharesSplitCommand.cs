using System.Globalization;
using System.CommandLine;
using System.Security.Cryptography;
using Ledger.Signing.Recovery;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger shares split</c>: a master secret (hex on standard input) to SLIP-0039 shares.</summary>
internal static class SharesSplitCommand
{
    public static Command Create(ToolContext context)
    {
        var threshold = new Option<int?>("--threshold") { Description = "shares that recover the secret (one group), 1-16" };
        var count = new Option<int?>("--count") { Description = "shares to make (one group), K-16; 1 when K is 1" };
        var groupThreshold = new Option<int?>("--group-threshold") { Description = "groups that recover the secret, 1 to the number of groups" };
        var group = new Option<string[]>("--group") { Description = "a group whose K of N shares recover it, as K/N; once per group, up to 16", Arity = ArgumentArity.OneOrMore };
        var passphrase = new Option<string>("--passphrase") { Description = "printable ASCII; another passphrase recovers another secret" };
        var extendable = new Option<bool>("--extendable") { Description = "the extendable share format (the default)" };
        var noExtendable = new Option<bool>("--no-extendable") { Description = "the original share format" };
        var exponent = new Option<int?>("--iteration-exponent") { Description = "PBKDF2 cost of 10000 x 2^E iterations, 0-15 (default 1)" };
        var command = new Command("split", """
            Split a master secret (hex on standard input, 16 to 32 bytes) into SLIP-0039 word shares, one per line.
            With groups (--group-threshold G --group K/N ...), each group starts with a '#' header line, which
            'ledger shares combine' skips.
            """ + "\n" + ExitCodes.Text)
        {
            threshold, count, groupThreshold, group, passphrase, extendable, noExtendable, exponent,
        };
        command.SetAction(parsed => Run(context, new Options(
            parsed.GetValue(threshold), parsed.GetValue(count), parsed.GetValue(groupThreshold), parsed.GetValue(group) ?? [],
            parsed.GetValue(passphrase) ?? "", parsed.GetValue(extendable), parsed.GetValue(noExtendable), parsed.GetValue(exponent))));
        return command;
    }

    private sealed record Options(int? Threshold, int? Count, int? GroupThreshold, string[] Groups, string Passphrase, bool Extendable, bool NoExtendable, int? IterationExponent);

    private static int Run(ToolContext context, Options options)
    {
        if (options.Extendable && options.NoExtendable)
        {
            throw new UsageException("give --extendable or --no-extendable, not both.");
        }

        var grouped = options.Groups.Length > 0;
        var (groupThreshold, groups) = grouped ? Groups(options) : SingleGroup(options);
        var exponent = Range("iteration-exponent", options.IterationExponent, 0, Slip39.MaxIterationExponent) ?? 1;
        var secret = ReadSecret(context.Input);

        ShareSet set;
        try
        {
            set = Slip39.Split(secret, groupThreshold, groups, options.Passphrase, !options.NoExtendable, exponent);
        }
        catch (ShareException e) when (e.Problem is ShareProblem.BadThreshold or ShareProblem.InvalidPassphrase)
        {
            // Thresholds and the passphrase come from the command line, not from standard input.
            throw new UsageException(e.Detail);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        foreach (var group in set.Groups)
        {
            if (grouped)
            {
                if (group.GroupIndex > 0)
                {
                    context.Output.WriteLine();
                }

                context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"# group {group.GroupIndex + 1} of {set.Groups.Count}: {group.MemberThreshold} of these {group.Mnemonics.Count} shares recover it; {set.GroupThreshold} of the {set.Groups.Count} groups recover the secret"));
            }

            foreach (var mnemonic in group.Mnemonics)
            {
                context.Output.WriteLine(mnemonic);
            }
        }

        return ExitCodes.Ok;
    }

    private static (int, GroupSpec[]) SingleGroup(Options options)
    {
        if (options.GroupThreshold is not null)
        {
            throw new UsageException("--group-threshold goes with --group.");
        }

        var threshold = Range("threshold", options.Threshold, 1, Slip39.MaxShareCount) ?? throw new UsageException("give --threshold and --count, or --group-threshold and --group.");
        var count = Range("count", options.Count, 1, Slip39.MaxShareCount) ?? throw new UsageException("--threshold needs --count.");
        return (1, [new GroupSpec(threshold, count)]);
    }

    private static (int, GroupSpec[]) Groups(Options options)
    {
        if (options.Threshold is not null || options.Count is not null)
        {
            throw new UsageException("use --threshold and --count for one group, or --group-threshold and --group for several, not both.");
        }

        var groupThreshold = Range("group-threshold", options.GroupThreshold, 1, Slip39.MaxShareCount) ?? throw new UsageException("--group needs --group-threshold.");
        var groups = options.Groups.Select(ParseGroup).ToArray();
        return (groupThreshold, groups);
    }

    private static int? Range(string name, int? value, int min, int max) =>
        value is { } v && (v < min || v > max)
            ? throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--{name} takes a whole number from {min} to {max}; got {v}."))
            : value;

    private static GroupSpec ParseGroup(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var threshold)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return new GroupSpec(threshold, count);
        }

        throw new UsageException($"--group takes K/N, e.g. 2/3; got '{text}'.");
    }

    private static byte[] ReadSecret(TextReader input)
    {
        var hex = string.Concat(input.ReadToEnd().Where(c => !char.IsWhiteSpace(c)));
        if (hex.Length == 0)
        {
            throw new InvalidInputException("expected the master secret as hex on standard input; got nothing.");
        }

        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new InvalidInputException($"standard input is not hex: {hex.Length} characters, expected an even number of 0-9 a-f.");
        }
    }
}
