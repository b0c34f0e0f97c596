using System.Diagnostics;

namespace Ledger.Kernel.Tests;

/// <summary>Runs the SiteBooks demo in child processes whose culture, time zone and globalization mode
/// differ; the state hash must not.</summary>
public class CrossProcessDeterminismTests
{
    [Fact]
    [Trait("Risk", "C1")]
    [Trait("Risk", "D1")]
    public void The_demo_state_hash_is_identical_under_invariant_globalization_other_cultures_and_time_zones()
    {
        var environments = new (string Expect, Dictionary<string, string> Env)[]
        {
            ("culture=", new() { ["TZ"] = "UTC" }),
            ("invariantGlobalization=True", new() { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1", ["TZ"] = "Pacific/Chatham" }),
            ("culture=tr-TR timeZone=Europe/Istanbul", new() { ["LANG"] = "tr_TR.UTF-8", ["LC_ALL"] = "tr_TR.UTF-8", ["TZ"] = "Europe/Istanbul" }),
            ("culture=ja-JP timeZone=Asia/Tokyo", new() { ["LANG"] = "ja_JP.UTF-8", ["LC_ALL"] = "ja_JP.UTF-8", ["TZ"] = "Asia/Tokyo" }),
            ("culture=ar-SA timeZone=Pacific/Kiritimati", new() { ["LANG"] = "ar_SA.UTF-8", ["LC_ALL"] = "ar_SA.UTF-8", ["TZ"] = "Pacific/Kiritimati" }),
        };

        var outputs = environments.Select(e => (e.Expect, Lines: RunDemo(e.Env, "--hash-only", "--seed", "5", "--ops", "1500").Split('\n'))).ToArray();
        foreach (var (expect, lines) in outputs)
        {
            Assert.StartsWith("STATE ops=", lines[0]);
            // The child really ran in the environment we asked for …
            Assert.Contains(expect, lines[1]);
            // … and reached the same state hash.
            Assert.True(outputs[0].Lines[0] == lines[0], $"{lines[1]}: {lines[0]} differs from {outputs[0].Lines[1]}: {outputs[0].Lines[0]}");
        }
    }

    internal static string RunDemo(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!);
        var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var demo = Path.Combine(repo, "samples", "SiteBooks", "bin", configuration, "net10.0", "SiteBooks.dll");
        Assert.True(File.Exists(demo), $"the demo is not built at {demo}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(demo);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"demo exited {process.ExitCode}: {stderr}");
        return stdout.Trim();
    }
}
