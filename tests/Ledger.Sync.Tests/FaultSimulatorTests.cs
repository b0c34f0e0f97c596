using System.Globalization;
using Ledger.Sync.Tests.Simulation;

namespace Ledger.Sync.Tests;

/// <summary>The fault simulator (issue 14): seeded schedules of appends, syncs and faults over three devices and a
/// relay, with the invariants checked after every step (docs/reliability.md, "Fault simulator").</summary>
/// <remarks>CI runs <see cref="DefaultSchedules"/> schedules. <c>LEDGER_SIM_SCHEDULES=100000</c> runs a soak;
/// <c>LEDGER_SIM_SEED=&lt;seed&gt;</c> replays one schedule (a failure prints its line); <c>LEDGER_SIM_STEPS</c>
/// lengthens each schedule.</remarks>
public class FaultSimulatorTests
{
    private const int DefaultSchedules = 200;
    private const int DefaultSteps = 40;

    private static int? Env(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    [Fact]
    [Trait("Risk", "A1")]
    [Trait("Risk", "G1")]
    public async Task Under_seeded_schedules_of_lost_duplicated_and_reordered_messages_full_stores_torn_commits_and_crashes_no_acknowledged_op_is_lost_nothing_forks_the_ladder_never_lies_and_devices_converge()
    {
        var steps = Env("LEDGER_SIM_STEPS") ?? DefaultSteps;
        if (Env("LEDGER_SIM_SEED") is { } seed)
        {
            await FaultSimulator.RunAsync(seed, steps);
            return;
        }

        var schedules = Env("LEDGER_SIM_SCHEDULES") ?? DefaultSchedules;
        for (var s = 1; s <= schedules; s++) await FaultSimulator.RunAsync(s, steps);
    }

    [Fact]
    public void A_failing_schedule_names_the_one_line_that_replays_it()
    {
        Assert.Equal("replay: LEDGER_SIM_SEED=42 dotnet test tests/Ledger.Sync.Tests --filter FullyQualifiedName~FaultSimulatorTests", FaultSimulator.Replay(42));
    }
}
