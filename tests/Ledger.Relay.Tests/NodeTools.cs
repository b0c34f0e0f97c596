using System.Diagnostics;
using Xunit.Abstractions;
using Ledger.Tests;

namespace Ledger.Relay.Tests;

/// <summary>Node.js, npm and Chromium for the TypeScript client's tests: found or not; outside CI a missing tool skips
/// the test with a message, under CI=true it fails it (.ci/run installs them).</summary>
internal static class NodeTools
{
    public static string ClientDirectory => Path.Combine(RepositoryFiles.Root, "clients", "typescript");

    public static string Chromium => Environment.GetEnvironmentVariable("LEDGER_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the TypeScript tests cannot run here, or null when they can.</summary>
    public static string? Missing(bool needsBrowser)
    {
        if (Run("node", ["--version"], ClientDirectory, TimeSpan.FromSeconds(30)).ExitCode != 0) return "node is not on PATH";
        if (!Directory.Exists(Path.Combine(ClientDirectory, "node_modules"))) return "clients/typescript/node_modules is missing (run npm ci in clients/typescript)";
        if (needsBrowser && !File.Exists(Chromium)) return $"no Chromium at {Chromium} (apt-get install chromium, or set LEDGER_CHROMIUM)";
        return null;
    }

    /// <summary>True when the test should run; false (after saying why) when it should skip; fails under CI.</summary>
    public static bool Available(ITestOutputHelper output, bool needsBrowser)
    {
        var missing = Missing(needsBrowser);
        if (missing is null) return true;
        Assert.False(InCi, $"CI=true and the TypeScript client's tests cannot run: {missing}.");
        output.WriteLine($"SKIPPED: {missing}.");
        return false;
    }

    public static (int ExitCode, string Output, string Error) Run(string file, IEnumerable<string> args, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", e.Message);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, stdout.Result, stderr.Result + $"\n(killed after {timeout})");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, IEnumerable<string> args, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, await stdout, await stderr + $"\n(killed after {timeout})");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
