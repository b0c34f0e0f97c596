using System.Globalization;
using Xunit.Abstractions;

namespace Ledger.Tool.Tests;

/// <summary>Every command fed random and mutated inputs (files, standard input, command lines): it answers with one
/// error line and exit 1 or 2 (or accepts the input, exit 0), never a stack trace or an internal error, and every
/// input file is byte-for-byte unchanged afterwards. CI runs a bounded number of cases per command
/// (<c>LEDGER_TOOL_FUZZ_CASES</c>, default 8; <c>LEDGER_TOOL_FUZZ_SEED</c> picks another seed for long runs).</summary>
public class ToolFuzzTests(ITestOutputHelper log)
{
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_TOOL_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 8;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_TOOL_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 15;

    /// <summary>A command over one input file; {in} is the input, {out} a path that does not exist yet.</summary>
    public static TheoryData<string, string> Commands() => new()
    {
        { "verify {in}", "chain" },
        { "verify {in} --json --threads 2", "chain" },
        { "export inspect {in}", "export" },
        { "export inspect {in} --json", "export" },
        { "import {in} --out {out}", "export" },
        { "rebuild --from {in} --out {out}", "node" },
        { "rebuild --from {good} --from {in} --out {out} --json", "node" },
        { "chain export {in} --out {out}", "node" },
        { "checkpoint witnessed {in}", "node" },
        { "checkpoint kernel {in} --app {app} --manifest Ledger.Tool.Tests.ToolFiles.Manifest --out {out}", "node" },
        { "checkpoint relay {in}", "relay" },
        { "checkpoint relay {in} --json --size 3", "relay" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    [Trait("Category", "BadInput")]
    public async Task Random_and_mutated_files_get_one_error_line_exit_1_or_2_and_stay_unchanged(string command, string kind)
    {
        var files = await ToolFiles.Make();
        var valid = kind switch
        {
            "chain" => files.ChainFile,
            "export" => files.Export,
            "node" => files.NodeStores[0],
            _ => files.RelayStore,
        };
        var original = File.ReadAllBytes(valid);
        var random = new Random(HashCode.Combine(Seed, command.Length, kind.Length));
        for (var i = 0; i < Cases * 2; i++)
        {
            var bytes = i % 2 == 0 ? Mutate(original, random) : RandomBytes(random);
            var input = Path.Combine(files.Folder, $"case-{i}.{kind}");
            File.WriteAllBytes(input, bytes);
            var output = Path.Combine(files.Folder, $"out-{i}");
            var arguments = command.Replace("{in}", input, StringComparison.Ordinal).Replace("{out}", output, StringComparison.Ordinal)
                .Replace("{good}", files.NodeStores[1], StringComparison.Ordinal).Replace("{app}", typeof(ToolFiles).Assembly.Location, StringComparison.Ordinal).Split(' ');
            Check(files.Folder, arguments, "", output, $"seed {Seed} case {i}: {command} over {bytes.Length} bytes");
            File.Delete(input);
            if (File.Exists(output)) File.Delete(output);
        }
    }

    [Theory]
    [InlineData("shares", "combine")]
    [InlineData("shares", "split", "--threshold", "2", "--count", "3", "--iteration-exponent", "0")]
    [Trait("Category", "BadInput")]
    public void Random_and_mutated_standard_input_gets_one_error_line_and_exit_1_or_2(params string[] command)
    {
        var shares = ToolRun.Of("000102030405060708090a0b0c0d0e0f", "shares", "split", "--threshold", "2", "--count", "3", "--iteration-exponent", "0").Output;
        var random = new Random(Seed);
        var folder = ToolFiles.NewFolder();
        for (var i = 0; i < Cases * 2; i++)
        {
            var text = i % 2 == 0
                ? new string(Mutate(System.Text.Encoding.UTF8.GetBytes(shares), random).Select(b => (char)b).ToArray())
                : new string(RandomBytes(random).Take(400).Select(b => (char)(b % 96 + 32)).ToArray());
            Check(folder, command, text, null, $"seed {Seed} case {i}: {string.Join(' ', command)}");
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public async Task Random_command_lines_get_one_error_line_exit_1_or_2_and_leave_every_file_unchanged()
    {
        var files = await ToolFiles.Make();
        string[] words = ["shares", "split", "combine", "verify", "rebuild", "import", "export", "inspect", "chain", "checkpoint", "relay", "witnessed",
            "completions", "bash", "--from", "--out", "--json", "--threads", "--size", "--origin", "--author", "--key-file", "--old-relay", "--threshold",
            "--count", "--group", "--passphrase", "-1", "0", "99999999999999999999", "2/3", "x", "", "--", "-h", "[suggest:3]",
            files.ChainFile, files.Export, files.NodeStores[0], files.RelayStore, files.ForeignSqlite, files.Junk, files.Folder, "/nonexistent/file"];
        var random = new Random(Seed);
        for (var i = 0; i < Cases * 20; i++)
        {
            var arguments = Enumerable.Range(0, random.Next(0, 7)).Select(_ => words[random.Next(words.Length)]).ToList();
            if (arguments.Contains("--out")) arguments[arguments.IndexOf("--out") + 1 < arguments.Count ? arguments.IndexOf("--out") + 1 : arguments.IndexOf("--out")] = Path.Combine(files.Folder, $"out-{i}");
            Check(files.Folder, [.. arguments], "", Path.Combine(files.Folder, $"out-{i}"), $"seed {Seed} case {i}: ledger {string.Join(' ', arguments)}");
            if (File.Exists(Path.Combine(files.Folder, $"out-{i}"))) File.Delete(Path.Combine(files.Folder, $"out-{i}"));
        }
    }

    private void Check(string folder, string[] arguments, string input, string? output, string what)
    {
        var before = ToolFiles.Hashes(folder);
        var run = ToolRun.Of(input, arguments);
        var after = ToolFiles.Hashes(folder);
        if (output is not null) after.Remove(Path.GetFileName(output));
        Assert.True(string.Join('\n', before) == string.Join('\n', after), $"{what}: an input changed\n{run}");
        Assert.True(run.ExitCode is 0 or 1 or 2, $"{what}\n{run}");
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.False(run.Error.Contains("internal error", StringComparison.Ordinal), $"{what}\n{run}");
        if (run.ExitCode == 0) return;
        if (output is not null) Assert.False(File.Exists(output), $"{what}: failed but wrote {output}\n{run}");

        // A check that ran and failed reports on standard output (verify, export inspect); anything else is one line.
        if (run.ExitCode == 1 && run.Error.Length == 0)
        {
            Assert.True(run.Output.Length > 0, $"{what}: exit 1 and nothing said\n{run}");
            return;
        }

        var message = run.Error.Split("\n\n")[0].TrimEnd().Split('\n');
        Assert.True(message.Length >= 1 && message.All(l => l.StartsWith("ledger", StringComparison.Ordinal)), $"{what}\n{run}");
        Assert.True(message.Length == 1, $"{what}: more than one line\n{run}");
        log.WriteLine($"{what}: exit {run.ExitCode}: {message[0]}");
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (var k = random.Next(1, 5); k > 0; k--) bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
                return [.. bytes, .. RandomBytes(random).Take(random.Next(1, 64))];
            default:
                // A whole region overwritten: a torn page of a SQLite file, a garbled record of a chain file.
                var at = random.Next(bytes.Length);
                random.NextBytes(bytes.AsSpan(at, Math.Min(bytes.Length - at, random.Next(1, 512))));
                return bytes;
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 5000)];
        random.NextBytes(bytes);

        // Half of them look like the start of a file the tool knows, so decoding goes past the first byte.
        if (bytes.Length > 16 && random.Next(2) == 0) "SQLite format 3\0"u8.CopyTo(bytes);
        return bytes;
    }
}
