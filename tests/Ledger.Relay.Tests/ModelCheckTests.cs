using System.Text.Json;
using Ledger.Fleet;

namespace Ledger.Relay.Tests;

/// <summary>The capacity model's check (benchmarks/Ledger.Fleet, <c>--check-model</c>, docs/scaling.md): the fit on
/// two fleet summaries and the verdict on the third, on summaries whose relay CPU is made from known costs.</summary>
public sealed class ModelCheckTests
{
    [Fact]
    public void Two_runs_with_different_batches_fit_both_costs_and_predict_a_third_made_from_them_exactly()
    {
        // 0.04 ms a request, 0.16 ms an op.
        var output = Check(Run(10_000, 10_000, 0.04, 0.16), Run(10_000, 40_000, 0.04, 0.16), Run(30_000, 60_000, 0.04, 0.16), out var exit);
        Assert.Equal(0, exit);
        Assert.Contains("model (two terms): 0.040 ms CPU a request + 0.160 ms CPU an op", output, StringComparison.Ordinal);
        Assert.Contains("error +0.0 % (within 20 %)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_whose_batches_are_alike_fall_back_to_cpu_per_op_and_a_third_run_a_third_dearer_fails_the_check()
    {
        var third = Run(20_000, 24_000, 0.04, 0.16);
        third.RelayCpuSeconds *= 1.3;
        var output = Check(Run(10_000, 11_000, 0.04, 0.16), Run(12_000, 13_000, 0.04, 0.16), third, out var exit);
        Assert.Equal(1, exit);
        Assert.Contains("one term, CPU per op", output, StringComparison.Ordinal);
        Assert.Contains("NOT within 20 %", output, StringComparison.Ordinal);
        Assert.Contains("the one-term form in CPU per request would predict", output, StringComparison.Ordinal);
    }

    // Known costs for the cases below (computed by hand, exactly, from these): 0.04 ms a request, 0.10 ms an op, 0.50 ms a
    // commit, 0.03 ms an announcement. A low-load run (about one op a push, most pushes committed alone), a high-load run
    // (big batches, few commits), a run of one-op pushes grouped many to a commit, and the held-out middle; no device
    // listens in these (no announcements), the four-term case adds them.
    private static readonly (long Requests, long Ops, long Commits, long Announcements) Low = (70_000, 72_000, 50_000, 0);
    private static readonly (long Requests, long Ops, long Commits, long Announcements) High = (20_000, 80_000, 5_000, 0);
    private static readonly (long Requests, long Ops, long Commits, long Announcements) Grouped = (40_000, 40_000, 2_000, 0);
    private static readonly (long Requests, long Ops, long Commits, long Announcements) Middle = (120_000, 144_000, 30_000, 0);

    [Fact]
    public void Across_load_levels_two_terms_predict_half_again_too_high_and_three_terms_with_the_relays_commits_predict_exactly()
    {
        // Without the commits (summaries from before the relays reported them): least squares of 35.00, 11.30 and 6.60 s
        // (no announcements here) on requests and ops gives a = 0.3629 ms, b = 0.0529 ms (normal equations, by hand), and
        // predicts 51.17 s for the middle run, which used 0.04·120,000 + 0.10·144,000 + 0.50·30,000 = 34.20 s: +49.6 %.
        var output = Check([Known(Low, commits: false), Known(High, commits: false), Known(Grouped, commits: false), Known(Middle, commits: false)], out var exit);
        Assert.Equal(1, exit);
        Assert.Contains("skipped (three terms): commits not recorded in every summary", output, StringComparison.Ordinal);
        Assert.Contains("model (two terms): 0.363 ms CPU a request + 0.053 ms CPU an op; fitted on 3 runs", output, StringComparison.Ordinal);
        Assert.Contains("large.json: 51.17 s; measured 34.20 s; error +49.6 % (NOT within 20 %)", output, StringComparison.Ordinal);

        // The same runs with the relays' commit counts: the three costs come back and the middle run is predicted.
        output = Check([Known(Low), Known(High), Known(Grouped), Known(Middle)], out exit);
        Assert.Equal(0, exit);
        Assert.Contains("skipped (four terms): announcements not recorded in every summary", output, StringComparison.Ordinal);
        Assert.Contains("model (three terms): 0.040 ms CPU a request + 0.100 ms CPU an op + 0.500 ms CPU a commit; fitted on 3 runs", output, StringComparison.Ordinal);
        Assert.Contains("large.json: 34.20 s; measured 34.20 s; error +0.0 % (within 20 %)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_runs_at_two_load_levels_fit_per_op_and_per_commit_where_per_request_and_per_op_is_three_quarters_too_high()
    {
        // Low and high: 35.00 and 11.30 s. On ops and commits: 72,000 b + 50,000 c = 35.0 and 80,000 b + 5,000 c = 11.3
        // give b = 0.10714 ms, c = 0.54571 ms; the middle run: 15.43 + 16.37 = 31.80 s against 34.20 s, −7.0 %. On
        // requests and ops: a = 0.4775 ms, b = 0.021875 ms, 57.30 + 3.15 = 60.45 s, +76.8 %.
        var output = Check([Known(Low), Known(High), Known(Middle)], out var exit);
        Assert.Equal(0, exit);
        Assert.Contains("skipped (three terms): 3 terms need at least 3 runs to fit on, 2 given", output, StringComparison.Ordinal);
        Assert.Contains("model (two terms, per op and per commit): 0.107 ms CPU an op + 0.546 ms CPU a commit; fitted on 2 runs", output, StringComparison.Ordinal);
        Assert.Contains("31.80 s; measured 34.20 s; error -7.0 % (within 20 %)", output, StringComparison.Ordinal);

        output = Check([Known(Low, commits: false), Known(High, commits: false), Known(Middle, commits: false)], out exit);
        Assert.Equal(1, exit);
        Assert.Contains("model (two terms): ", output, StringComparison.Ordinal);
        Assert.Contains("60.45 s; measured 34.20 s; error +76.8 % (NOT within 20 %)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Four_runs_with_announcements_fit_all_four_costs()
    {
        // The same runs with devices listening (2,000, 30,000, 1,000 and 50,000 announcements; 35.06, 12.20, 6.63 and
        // 35.70 s) and a fourth whose devices listen much more: 0.04·50,000 + 0.10·100,000 + 0.50·10,000 + 0.03·200,000
        // = 23.0 s. With the announcements in every summary the four costs come back exactly.
        (long, long, long, long)[] runs = [(70_000, 72_000, 50_000, 2_000), (20_000, 80_000, 5_000, 30_000), (40_000, 40_000, 2_000, 1_000), (50_000, 100_000, 10_000, 200_000), (120_000, 144_000, 30_000, 50_000)];
        var output = Check(runs.Select(r => Known(r, announcements: true)).ToArray(), out var exit);
        Assert.Equal(0, exit);
        Assert.Contains("model (four terms): 0.040 ms CPU a request + 0.100 ms CPU an op + 0.500 ms CPU a commit + 0.030 ms CPU an announcement; fitted on 4 runs", output, StringComparison.Ordinal);
        Assert.Contains("35.70 s; measured 35.70 s; error +0.0 % (within 20 %)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_where_every_push_is_its_own_commit_do_not_separate_requests_from_commits_and_the_commit_carries_both_costs()
    {
        // Before group commit a push was a transaction: commits = requests in every run, so the three-term form is
        // singular; per op and per commit fits b = 0.10 ms and c = 0.04 + 0.50 = 0.54 ms and predicts exactly.
        (long, long, long, long)[] runs = [(70_000, 72_000, 70_000, 0), (20_000, 80_000, 20_000, 0), (40_000, 40_000, 40_000, 0), (120_000, 144_000, 120_000, 0)];
        var output = Check(runs.Select(r => Known(r)).ToArray(), out var exit);
        Assert.Equal(0, exit);
        Assert.Contains("skipped (three terms): the runs do not separate the terms: requests moves with the others", output, StringComparison.Ordinal);
        Assert.Contains("model (two terms, per op and per commit): 0.100 ms CPU an op + 0.540 ms CPU a commit; fitted on 3 runs", output, StringComparison.Ordinal);
        Assert.Contains("79.20 s; measured 79.20 s; error +0.0 % (within 20 %)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_fleet_summary_is_named_and_nothing_is_fitted()
    {
        var dir = Directory.CreateTempSubdirectory("ledger-model-");
        try
        {
            var bad = Path.Combine(dir.FullName, "bad.json");
            File.WriteAllText(bad, "{ not json");
            var good = Write(dir.FullName, "good.json", Run(10_000, 10_000, 0.04, 0.16));
            var output = new StringWriter();
            Assert.Equal(2, ModelCheck.Run([good, bad, good], output));
            Assert.Contains("bad.json: not a fleet summary", output.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("model (", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static FleetReport Run(long requests, long ops, double msPerRequest, double msPerOp) =>
        new() { Tills = 1000, Rate = 1000, WindowSeconds = 30, Store = "sqlite", Instances = 1, Requests = requests, AckedTotal = ops, RelayCpuSeconds = ((requests * msPerRequest) + (ops * msPerOp)) / 1000 };

    private static FleetReport Known((long Requests, long Ops, long Commits, long Announcements) run, bool commits = true, bool announcements = false) =>
        new()
        {
            Tills = 1000, Rate = 1000, WindowSeconds = 30, Store = "sqlite", Instances = 1, Requests = run.Requests, AckedTotal = run.Ops,
            RelayCommits = commits ? run.Commits : null,
            RelayLongPollAnswers = announcements ? run.Announcements : null,
            RelaySizeEvents = announcements ? 0L : null,
            RelayCpuSeconds = ((run.Requests * 0.04) + (run.Ops * 0.10) + (run.Commits * 0.50) + (run.Announcements * 0.03)) / 1000,
        };

    private static string Check(FleetReport small, FleetReport middle, FleetReport large, out int exit) => Check([small, middle, large], out exit);

    // The last run is the one predicted (written as large.json), the others fitted on.
    private static string Check(FleetReport[] runs, out int exit)
    {
        var dir = Directory.CreateTempSubdirectory("ledger-model-");
        try
        {
            var output = new StringWriter();
            exit = ModelCheck.Run(runs.Select((r, i) => Write(dir.FullName, i == runs.Length - 1 ? "large.json" : $"fit{i}.json", r)).ToArray(), output);
            return output.ToString();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Write(string dir, string name, FleetReport report)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, JsonSerializer.Serialize(report, FleetJson.Default.FleetReport));
        return path;
    }
}
