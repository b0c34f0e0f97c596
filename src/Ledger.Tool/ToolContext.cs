namespace Ledger.Tool;

/// <summary>What every command runs with: the three streams (so tests run commands in-process) and whether
/// progress may be drawn on standard error (only when it is a terminal, never when redirected).</summary>
internal sealed record ToolContext(TextReader Input, TextWriter Output, TextWriter Error, bool ShowProgress)
{
    /// <summary>Progress for one long piece of work; silent unless <see cref="ShowProgress"/>.</summary>
    public Progress Progress(string what) => new(ShowProgress ? Error : null, what);
}
