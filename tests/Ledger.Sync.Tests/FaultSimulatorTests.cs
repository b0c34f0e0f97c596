using System.Globalization;
using Ledger.Sync.Tests.Simulation;
using Xunit.Abstractions;

namespace Ledger.Sync.Tests;

/// <summary>The fault simulator (issue 14): seeded schedules of appends, claims, syncs and faults over three devices and a
/// relay, with the invariants checked after every step (docs/reliability.md, "Fault simulator"); and, for each fault
/// kind, a witness that the simulator reports a deliberately broken component with the line that replays it.</summary>
/// <remarks>CI runs <see cref="DefaultSchedules"/> schedules. <c>LEDGER_SIM_SCHEDULES=100000</c> runs a soak;
/// <c>LEDGER_SIM_SEED=&lt;seed&gt;</c> replays one schedule (a failure prints its line, with <c>LEDGER_SIM_BREAK</c>
/// when a component was broken on purpose); <c>LEDGER_SIM_STEPS</c> lengthens each schedule.</remarks>
public class FaultSimulatorTests(ITestOutputHelper output)
{
    private const int DefaultSchedules = 200;
    private const int DefaultSteps = 40;

    // The witnesses look for the first seed whose schedule shows the broken component; none needs more than a few.
    private const int WitnessSeeds = 60;

    private static int? Env(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static Breakage? BreakFromEnv() =>
        Enum.TryParse<Breakage>(Environment.GetEnvironmentVariable("LEDGER_SIM_BREAK"), ignoreCase: true, out var broken) ? broken : null;

    [Fact]
    [Trait("Risk", "A1")]
    [Trait("Risk", "A2")]
    [Trait("Risk", "D1")]
    [Trait("Risk", "G1")]
    public async Task Under_seeded_schedules_of_lost_duplicated_and_reordered_messages_full_stores_torn_commits_and_crashes_no_acknowledged_op_is_lost_nothing_forks_the_ladder_never_lies_and_devices_converge()
    {
        var steps = Env("LEDGER_SIM_STEPS") ?? DefaultSteps;
        if (Env("LEDGER_SIM_SEED") is { } seed)
        {
            await FaultSimulator.RunAsync(seed, steps, BreakFromEnv());
            return;
        }

        var schedules = Env("LEDGER_SIM_SCHEDULES") ?? DefaultSchedules;
        var totals = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var stopped = new List<string>();
        for (var s = 1; s <= schedules; s++)
        {
            var summary = await FaultSimulator.RunAsync(s, steps);
            totals[summary.Kind == Breakage.None ? "honest schedules" : "forking-relay schedules"] = totals.GetValueOrDefault(summary.Kind == Breakage.None ? "honest schedules" : "forking-relay schedules") + 1;
            foreach (var (what, count) in summary.Counts) totals[what] = totals.GetValueOrDefault(what) + count;
            if (summary.StoppedBecause is { } why) stopped.Add($"seed {s}: {why}");
        }

        output.WriteLine($"{schedules} schedules of {steps} steps: " + string.Join(", ", totals.Select(t => $"{t.Key} {t.Value}")));
        foreach (var line in stopped) output.WriteLine("stopped early: " + line);
    }

    [Fact]
    public void A_failing_schedule_names_the_one_line_that_replays_it()
    {
        Assert.Equal("replay: LEDGER_SIM_SEED=42 dotnet test tests/Ledger.Sync.Tests --filter FullyQualifiedName~FaultSimulatorTests", FaultSimulator.Replay(42));
        Assert.Equal("replay: LEDGER_SIM_SEED=42 LEDGER_SIM_BREAK=RebuildDropsAnOp dotnet test tests/Ledger.Sync.Tests --filter FullyQualifiedName~FaultSimulatorTests", FaultSimulator.Replay(42, Breakage.RebuildDropsAnOp));
    }

    /// <summary>Runs schedules with <paramref name="broken"/> from seed 1 until one fails; asserts it failed for
    /// <paramref name="expected"/> and printed the line that replays it, then replays that seed to the same failure.</summary>
    private async Task<string> FirstFailureAsync(Breakage broken, string expected)
    {
        for (var seed = 1; seed <= WitnessSeeds; seed++)
        {
            var failure = await Record.ExceptionAsync(() => FaultSimulator.RunAsync(seed, DefaultSteps, broken));
            if (failure is null) continue;
            Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
            Assert.Contains(FaultSimulator.Replay(seed, broken) + "\n", failure.Message, StringComparison.Ordinal);
            var again = await Record.ExceptionAsync(() => FaultSimulator.RunAsync(seed, DefaultSteps, broken));
            Assert.Equal(FirstLine(failure.Message), FirstLine(again?.Message));
            output.WriteLine(FirstLine(failure.Message));
            return failure.Message;
        }

        Assert.Fail($"no schedule of {WitnessSeeds} with {broken} failed: the simulator cannot see this fault kind go wrong.");
        return "";
    }

    private static string FirstLine(string? text) => text is null ? "(no failure)" : text.Split('\n')[0];

    [Fact]
    [Trait("Risk", "G1")]
    public async Task The_simulator_reports_a_partition_that_never_heals_as_ops_left_unacknowledged_with_the_line_that_replays_it()
    {
        var message = await FirstFailureAsync(Breakage.UnhealedPartition, "no relay acknowledged after healing (it is still partitioned)");
        Assert.Contains("cut off from the relay until step", message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "A2")]
    public async Task The_simulator_reports_a_relay_rebuild_that_drops_an_acknowledged_op_with_the_line_that_replays_it()
    {
        var message = await FirstFailureAsync(Breakage.RebuildDropsAnOp, "the rebuilt relay");
        Assert.Contains("(broken) the rebuild cannot see", message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "E1")]
    public async Task The_simulator_reports_a_rotation_to_a_key_that_was_never_committed_with_the_line_that_replays_it()
    {
        await FirstFailureAsync(Breakage.RotationToUncommittedKey, "sim-0's rotation to key 1 was refused");
    }

    [Fact]
    [Trait("Risk", "E2")]
    public async Task The_simulator_reports_a_device_that_folds_an_erase_but_keeps_the_key_with_the_line_that_replays_it()
    {
        await FirstFailureAsync(Breakage.ErasureHookSkipped, "sim-2 folded the erase of");
    }

    [Fact]
    [Trait("Risk", "D2")]
    public async Task The_simulator_reports_a_device_without_the_adopted_manifest_as_two_state_hashes_at_one_relay_prefix_with_the_line_that_replays_it()
    {
        await FirstFailureAsync(Breakage.NodeWithoutNewManifest, "two state hashes at relay prefix");
    }

    [Fact]
    [Trait("Risk", "D4")]
    public async Task The_simulator_reports_a_forking_relay_nobody_caught_with_the_line_that_replays_it()
    {
        await FirstFailureAsync(Breakage.ForkingRelayUnwatched, "a forking relay was injected, but no device holds evidence against it");
    }

    [Fact]
    [Trait("Risk", "D4")]
    public async Task The_simulator_reports_equivocation_evidence_in_a_run_declared_honest_with_the_line_that_replays_it()
    {
        await FirstFailureAsync(Breakage.ForkingRelayDeclaredHonest, "false equivocation evidence");
    }

    [Fact]
    [Trait("Risk", "D3")]
    public async Task The_simulator_reports_two_devices_holding_one_exclusive_claim_with_the_line_that_replays_it()
    {
        await FirstFailureAsync(Breakage.SplitClaimDeclaredHonest, "split claim");
    }
}
