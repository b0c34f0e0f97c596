using System.Globalization;
using System.Text.Json;

namespace Ledger.Fleet;

/// <summary>The capacity model's check (docs/scaling.md): fitted on two fleet runs, does it predict a third within 20 %?
/// The model prices a relay's work in CPU: <c>cpu = a · requests + b · ops</c> (a per request: HTTP, body read, decode,
/// one store transaction, the answer, the long polls it wakes; b per op: signature check, chain rules, leaf hash, row).
/// CPU time, not wall time, because on this shared machine the CPU a relay gets moves from run to run while what a
/// request costs moves far less; instances needed = load × cost ÷ cores.
/// Run: <c>--check-model small.json middle.json large.json</c>; exit 0 when the prediction is within 20 %.</summary>
internal static class ModelCheck
{
    public static int Run(string[] paths, TextWriter output)
    {
        if (paths.Length != 3)
        {
            output.WriteLine("--check-model takes three fleet summaries: the two to fit on, then the one to predict.");
            return 2;
        }

        var runs = new FleetReport[3];
        for (var i = 0; i < 3; i++)
        {
            try
            {
                runs[i] = JsonSerializer.Deserialize(File.ReadAllText(paths[i]), FleetJson.Default.FleetReport)
                    ?? throw new JsonException("empty");
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                output.WriteLine($"{paths[i]}: not a fleet summary ({e.Message})");
                return 2;
            }

            if (runs[i].RelayCpuSeconds <= 0 || runs[i].Requests <= 0 || runs[i].AckedTotal <= 0)
            {
                output.WriteLine($"{paths[i]}: no relay CPU, requests or ops recorded (a summary from before the tool measured them?)");
                return 2;
            }
        }

        foreach (var (r, path) in runs.Zip(paths))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {r.Tills} tills, {r.Requests} requests, {r.AckedTotal} ops ({(double)r.AckedTotal / r.Requests:F2} a request), relay CPU {r.RelayCpuSeconds:F2} s, {r.RelayCpuSeconds * 1000 / r.Requests:F3} ms a request"));
        }

        // Two equations, two unknowns. When the two runs have (nearly) the same ops per request the system is singular and
        // the per-op share cannot be told from the per-request share: then a one-term model is used, and said so. Which
        // term: CPU per op. Before group commit a request cost about twice an op (a ≈ 0.3 ms, b ≈ 0.16 ms) and this fell
        // back to CPU per request; since group commit a request's own share is about a quarter of an op's (a ≈ 0.04 ms,
        // fitted on runs whose batches differ, docs/scaling.md), so the per-op form is the one that tracks the relay's
        // work. The per-request form's prediction is printed beside it.
        var (x1, y1, c1) = (runs[0].Requests, runs[0].AckedTotal, runs[0].RelayCpuSeconds);
        var (x2, y2, c2) = (runs[1].Requests, runs[1].AckedTotal, runs[1].RelayCpuSeconds);
        double det = ((double)x1 * y2) - ((double)x2 * y1);
        double a, b;
        string model;
        var k1 = (double)y1 / x1;
        var k2 = (double)y2 / x2;
        if (Math.Abs(k1 - k2) / Math.Max(k1, k2) < 0.2)
        {
            a = 0;
            b = (c1 + c2) / (y1 + y2);
            model = "one term, CPU per op (the two runs' ops per request differ by under 20 %: the per-request share is not separable)";
        }
        else
        {
            a = ((c1 * y2) - (c2 * y1)) / det;
            b = ((x1 * c2) - (x2 * c1)) / det;
            model = "two terms";
            if (a < 0 || b < 0)
            {
                a = 0;
                b = (c1 + c2) / (y1 + y2);
                model = "one term, CPU per op (the two-term fit gave a negative cost, so the runs do not separate the terms)";
            }
        }

        var third = runs[2];
        var predicted = (a * third.Requests) + (b * third.AckedTotal);
        if (a == 0)
        {
            var perRequest = (c1 + c2) / (x1 + x2) * third.Requests;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"(the one-term form in CPU per request would predict {perRequest:F2} s, {(perRequest - third.RelayCpuSeconds) / third.RelayCpuSeconds * 100:+0.0;-0.0} %)"));
        }

        var error = (predicted - third.RelayCpuSeconds) / third.RelayCpuSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model ({model}): {a * 1000:F3} ms CPU a request + {b * 1000:F3} ms CPU an op"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"predicted relay CPU for {paths[2]}: {predicted:F2} s; measured {third.RelayCpuSeconds:F2} s; error {error * 100:+0.0;-0.0} % ({(Math.Abs(error) <= 0.2 ? "within" : "NOT within")} 20 %)"));
        return Math.Abs(error) <= 0.2 ? 0 : 1;
    }
}
