using Ledger.Fleet;
using Xunit.Abstractions;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>The fleet tool (benchmarks/Ledger.Fleet) at CI size on the PostgreSQL topology: 100 tills over HTTP spread
/// over two relay instances (separate processes) on one fresh database, an instance SIGKILLed and restarted twice,
/// PostgreSQL "restarted" once (every relay session cut and new ones refused for 3 s by a TCP gate in front of it — the
/// server itself is shared with the other test assemblies CI runs at the same time, so it is not really restarted here;
/// the documented full run restarts it with pg_ctlcluster), faults injected on a tenth of the tills, and the full audit
/// (the SQLite topology runs in Ledger.Relay.Tests' FleetTests).</summary>
public sealed class FleetToolTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_small_fleet_on_two_relay_instances_over_one_database_with_instances_killed_and_the_database_cut_off_loses_no_acknowledged_op_and_passes_the_audit()
    {
        PostgreSqlServer.Require();
        var work = Path.Combine(Path.GetTempPath(), "ledger-fleet-pg-ci-" + Guid.NewGuid().ToString("N"));
        var log = new StringWriter();
        try
        {
            var report = await FleetRun.RunAsync(new FleetOptions
            {
                Tills = 100,
                Rate = 40,
                Duration = TimeSpan.FromSeconds(20),
                KillEvery = TimeSpan.FromSeconds(8),
                PgGate = true,
                PgRestartAt = TimeSpan.FromSeconds(10),
                FaultShare = 0.1,
                Concurrency = 64,
                Observers = 2,
                Store = "postgres",
                Postgres = PostgreSqlServer.ConnectionString,
                WorkDir = work,
                Output = log,
            });
            output.WriteLine(log.ToString());
            Assert.True(report.Passed, log.ToString());
            Assert.Equal(2, report.Instances);
            Assert.True(report.Kills >= 2, log.ToString());
            Assert.True(report.Faults.Values.Sum() > 0, "no fault was injected");
            Assert.Equal(0, report.Lost);
            Assert.Equal(9, report.Audit.Count);
            Assert.Single(report.DatabaseRestarts);
            Assert.Contains(report.Audit, c => c.Name == "PostgreSQL was restarted during the window as asked" && c.Ok);
            Assert.True(report.AuditCatchesAWrongPosition);
            // Both instances' own counts, summed over their restarts (RelayTotals): every commit stored at least one op.
            Assert.True(report.RelayCommits is > 0 && report.RelayCommits <= report.AckedTotal + 2, $"{report.RelayCommits} commits for {report.AckedTotal} ops");
            Assert.True(report.RelayLongPollAnswers > 0, $"{report.RelayLongPollAnswers} long-poll answers");
            Assert.Contains(report.Audit, c => c.Name == "every instance serves the same checkpoint" && c.Ok);
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
