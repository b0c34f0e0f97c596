namespace Ledger.Monitor.Tests;

/// <summary>A test that drives the Debian <c>chromium</c> package headless. Outside CI, a machine without it skips
/// with a message saying how to install it; in CI (<c>CI=true</c>) the test runs and fails: <c>.ci/run</c> installs it.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Executable = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Executable) && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"{Executable} is missing: install Debian's chromium package (apt-get install -y chromium; .ci/run does) to run the monitor page in a real browser.";
        }
    }
}
