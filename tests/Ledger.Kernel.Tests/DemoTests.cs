namespace Ledger.Kernel.Tests;

/// <summary>Runs the README's demo whole, as a new user first does (<c>dotnet run --project samples/SiteBooks</c>).
/// The other demo test runs only its fold (<c>--hash-only</c>); a change that broke a later scenario (the SQLite stores'
/// lock file once made the erasure scan throw) went unseen by every test until the demo was run by hand.</summary>
public class DemoTests
{
    [Fact]
    public void The_readme_demo_runs_every_scenario_to_all_witnesses_hold_and_its_state_hash_is_the_folds()
    {
        var utc = new Dictionary<string, string> { ["TZ"] = "UTC" };
        var lines = CrossProcessDeterminismTests.RunDemo(utc).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        Assert.Equal("all witnesses hold", lines[^1]);
        // Every scenario printed its line (a scenario that threw would have ended the process before the last line).
        foreach (var scenario in new[] { "MON-REPLAY ", "SHUFFLE ", "CHECKPOINT ", "CLAIM ", "MIGRATE ", "ERASE ", "MON-DUR ", "HEALTH ", "SYNC ", "REBUILD ", "RESTORE ", "EQUIVOCATION ", "HTTP ", "ALERT " })
            Assert.Contains(lines, l => l.StartsWith(scenario, StringComparison.Ordinal));

        // The whole demo and its fold alone reach the same state with the same seed and op count.
        var state = Assert.Single(lines, l => l.StartsWith("STATE ops=", StringComparison.Ordinal));
        var foldOnly = CrossProcessDeterminismTests.RunDemo(utc, "--hash-only").Split('\n')[0].TrimEnd('\r');
        Assert.Equal(state, foldOnly);
    }
}
