using System.Diagnostics;

namespace Ledger.Relay.Tests;

/// <summary>A device node in a child process (tests/Ledger.Relay.NodeHost) syncing with an HTTP relay, driven one
/// command a line.</summary>
internal sealed class ChildNode : IDisposable
{
    private readonly Process _process;

    public ChildNode(string relayUrl, string ledger, string label, string vkey, string? storePath = null)
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!);
        var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var host = Path.Combine(repo, "tests", "Ledger.Relay.NodeHost", "bin", configuration, "net10.0", "Ledger.Relay.NodeHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", host, relayUrl, ledger, label, vkey }) start.ArgumentList.Add(arg);
        if (storePath is not null) start.ArgumentList.Add(storePath);
        _process = Process.Start(start)!;
        var ready = _process.StandardOutput.ReadLine();
        if (ready != "READY") throw new InvalidOperationException($"the node host did not start: {ready} {_process.StandardError.ReadToEnd()}");
    }

    public async Task<string> SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (line is null || line.StartsWith("ERROR", StringComparison.Ordinal)) throw new InvalidOperationException($"the node host answered '{command}' with: {line}");
        return line;
    }

    /// <summary>Sends a command without waiting for its answer.</summary>
    public async Task StartAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>SIGKILL: no flush, no cleanup, like a power cut for the device.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        try
        {
            if (_process.HasExited) return;
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000)) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
