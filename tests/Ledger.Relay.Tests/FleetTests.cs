using Ledger.Fleet;

namespace Ledger.Relay.Tests;

/// <summary>The fleet tool (benchmarks/Ledger.Fleet) at CI size: 100 tills over HTTP against a relay in its own
/// process, SIGKILLed and restarted once, faults injected on a tenth of the tills, and the full audit.</summary>
public sealed class FleetTests
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_small_fleet_with_a_relay_killed_and_faults_injected_loses_no_acknowledged_op_and_passes_the_audit()
    {
        var work = Path.Combine(Path.GetTempPath(), "ledger-fleet-ci-" + Guid.NewGuid().ToString("N"));
        var output = new StringWriter();
        try
        {
            var report = await FleetRun.RunAsync(new FleetOptions
            {
                Tills = 100,
                Rate = 40,
                Duration = TimeSpan.FromSeconds(20),
                KillEvery = TimeSpan.FromSeconds(10),
                FaultShare = 0.1,
                Concurrency = 64,
                Observers = 2,
                WorkDir = work,
                Output = output,
            });
            Assert.True(report.Passed, output.ToString());
            Assert.True(report.Kills >= 1, output.ToString());
            Assert.True(report.Faults.Values.Sum() > 0, "no fault was injected");
            Assert.Equal(0, report.Lost);
            Assert.Equal(8, report.Audit.Count);
            Assert.True(report.AuditCatchesAWrongPosition);
            Assert.True(File.Exists(Path.Combine(work, "fleet-summary.json")));
            // The relays' own counts over the window and the drain (RelayTotals): every commit stored at least one op
            // (the tills' acknowledged ones, or an observer's inception); the watchers and observers were answered.
            Assert.True(report.RelayCommits is > 0 && report.RelayCommits <= report.AckedTotal + 2, $"{report.RelayCommits} commits for {report.AckedTotal} ops");
            Assert.True(report.RelayLongPollAnswers > 0, $"{report.RelayLongPollAnswers} long-poll answers");
            Assert.Equal(0, report.RelaySizeEvents);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
