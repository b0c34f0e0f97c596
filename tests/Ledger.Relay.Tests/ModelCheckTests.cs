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

    private static string Check(FleetReport small, FleetReport middle, FleetReport large, out int exit)
    {
        var dir = Directory.CreateTempSubdirectory("ledger-model-");
        try
        {
            var output = new StringWriter();
            exit = ModelCheck.Run([Write(dir.FullName, "small.json", small), Write(dir.FullName, "middle.json", middle), Write(dir.FullName, "large.json", large)], output);
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
