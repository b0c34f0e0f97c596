using System.Globalization;
using System.Security.Cryptography;
using Ledger.Signing.Recovery;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger shares split</c>: a master secret (hex on standard input) to SLIP-0039 shares.</summary>
internal sealed class SharesSplitCommand : ICommand
{
    public IReadOnlyList<string> Name { get; } = ["shares", "split"];

    public string Summary => "split a master secret (hex on stdin) into SLIP-0039 word shares";

    public string Usage => """
        usage: ledger shares split --threshold K --count N [options] < secret.hex
               ledger shares split --group-threshold G --group K/N [--group K/N ...] [options] < secret.hex

        Reads a master secret as hex on standard input (16 to 32 bytes, an even number) and prints
        SLIP-0039 shares, one per line. With groups, each group starts with a '#' header line, which
        'ledger shares combine' skips.

        options:
          --threshold K            shares that recover the secret (one group), 1-16
          --count N                shares to make (one group), K-16; 1 when K is 1
          --group-threshold G      groups that recover the secret, 1 to the number of groups
          --group K/N              a group whose K of N shares recover it; once per group, up to 16
          --passphrase P           printable ASCII; another passphrase recovers another secret
          --extendable             the extendable share format (the default)
          --no-extendable          the original share format
          --iteration-exponent E   PBKDF2 cost of 10000 x 2^E iterations, 0-15 (default 1)

        exit codes: 0 ok, 1 invalid input, 2 usage error

        """;

    public int Run(CommandContext context)
    {
        var options = new OptionReader(context.Arguments,
            ["threshold", "count", "group-threshold", "group", "passphrase", "iteration-exponent"], ["extendable", "no-extendable"]);
        if (options.Flag("extendable") && options.Flag("no-extendable"))
        {
            throw new UsageException("give --extendable or --no-extendable, not both.");
        }

        var grouped = options.Has("group");
        var (groupThreshold, groups) = grouped ? Groups(options) : SingleGroup(options);
        var passphrase = options.Single("passphrase") ?? "";
        var exponent = options.Integer("iteration-exponent", 0, Slip39.MaxIterationExponent) ?? 1;
        var secret = ReadSecret(context.Input);

        ShareSet set;
        try
        {
            set = Slip39.Split(secret, groupThreshold, groups, passphrase, !options.Flag("no-extendable"), exponent);
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

    private static (int, GroupSpec[]) SingleGroup(OptionReader options)
    {
        if (options.Has("group-threshold"))
        {
            throw new UsageException("--group-threshold goes with --group.");
        }

        var threshold = options.Integer("threshold", 1, Slip39.MaxShareCount) ?? throw new UsageException("give --threshold and --count, or --group-threshold and --group.");
        var count = options.Integer("count", 1, Slip39.MaxShareCount) ?? throw new UsageException("--threshold needs --count.");
        return (1, [new GroupSpec(threshold, count)]);
    }

    private static (int, GroupSpec[]) Groups(OptionReader options)
    {
        if (options.Has("threshold") || options.Has("count"))
        {
            throw new UsageException("use --threshold and --count for one group, or --group-threshold and --group for several, not both.");
        }

        var groupThreshold = options.Integer("group-threshold", 1, Slip39.MaxShareCount) ?? throw new UsageException("--group needs --group-threshold.");
        var groups = options.All("group").Select(ParseGroup).ToArray();
        return (groupThreshold, groups);
    }

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
