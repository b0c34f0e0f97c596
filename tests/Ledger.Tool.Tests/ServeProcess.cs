using System.Diagnostics;

namespace Ledger.Tool.Tests;

/// <summary><c>ledger relay serve …</c> in a process of its own, as an operator (or a supervisor) runs it; killed with
/// SIGKILL when disposed.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    public ServeProcess(params string[] arguments)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "Ledger.Tool.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", tool, "relay", "serve" }.Concat(arguments)) start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _stderr = _process.StandardError.ReadToEndAsync();
        var line = _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(90)).GetAwaiter().GetResult();
        if (line is null || !line.StartsWith("relay listening on ", StringComparison.Ordinal))
        {
            _process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"ledger relay serve did not start: {line}; stderr: {_stderr.GetAwaiter().GetResult()}");
        }

        FirstLine = line;
        Url = line["relay listening on ".Length..].Split(' ')[0].TrimEnd('/');
        _ = _process.StandardOutput.ReadToEndAsync();
    }

    public string FirstLine { get; }

    public string Url { get; }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
