using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Ledger.Signing.Recovery;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger shares combine</c>: SLIP-0039 shares (one per line on standard input) to the
/// master secret as lowercase hex.</summary>
internal static class SharesCombineCommand
{
    public static Command Create(ToolContext context)
    {
        var passphrase = new Option<string>("--passphrase") { Description = "the passphrase of the split; another passphrase recovers another secret" };
        var command = new Command("combine", """
            Recover a master secret from SLIP-0039 shares on standard input, one per line (blank lines and lines
            starting with '#' are skipped), and print it as lowercase hex. Give exactly the threshold: the group
            threshold of groups, each with its member threshold of shares. An invalid set (a word not in the list,
            a bad checksum or padding, too few or too many shares, shares of different sets) exits with 1 and names
            the problem and the share.
            """ + "\n" + ExitCodes.Text)
        {
            passphrase,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(passphrase) ?? ""));
        return command;
    }

    private static int Run(ToolContext context, string passphrase)
    {
        var mnemonics = new List<string>();
        var lines = new List<int>();
        var lineNumber = 0;
        while (context.Input.ReadLine() is { } line)
        {
            lineNumber++;
            var text = line.Trim();
            if (text.Length > 0 && !text.StartsWith('#'))
            {
                mnemonics.Add(text);
                lines.Add(lineNumber);
            }
        }

        if (mnemonics.Count == 0)
        {
            throw new InvalidInputException("no shares on standard input: give one mnemonic per line.");
        }

        byte[] secret;
        try
        {
            secret = Slip39.Combine(mnemonics, passphrase);
        }
        catch (ShareException e) when (e.Problem is ShareProblem.InvalidPassphrase)
        {
            throw new UsageException(e.Detail);
        }
        catch (ShareException e) when (e.ShareIndex is { } index)
        {
            var prefix = e.SharePrefix is { Length: > 0 } p ? $" (\"{p} …\")" : "";
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture,
                $"{e.Problem}: share {index + 1}, on line {lines[index]}{prefix}: {e.Detail}"));
        }

        context.Output.WriteLine(Convert.ToHexStringLower(secret));
        CryptographicOperations.ZeroMemory(secret);
        return ExitCodes.Ok;
    }
}
