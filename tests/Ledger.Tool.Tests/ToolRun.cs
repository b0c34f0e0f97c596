using Ledger.Tool;

namespace Ledger.Tool.Tests;

/// <summary>One in-process run of the <c>ledger</c> command line.</summary>
internal sealed record ToolRun(int ExitCode, string Output, string Error)
{
    public static ToolRun Of(string input, params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = LedgerCli.Run(arguments, new StringReader(input), output, error);
        return new ToolRun(code, output.ToString(), error.ToString());
    }

    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string[] Mnemonics => [.. OutputLines.Where(l => !l.StartsWith('#'))];

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
