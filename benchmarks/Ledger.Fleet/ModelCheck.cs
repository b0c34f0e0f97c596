using System.Globalization;
using System.Text.Json;

namespace Ledger.Fleet;

/// <summary>The capacity model's check (docs/scaling.md): fitted on fleet runs, does it predict another within 20 %?
/// The model prices a relay's work in CPU:
/// <c>cpu = a · requests + b · ops + c · commits + d · announcements</c> — a per push request (HTTP, body read, decode,
/// the answer), b per op (signature check, chain rules, leaf hash, row), c per store transaction (group commit stores
/// the pushes that wait for the relay's gate in one: its commit, WAL flush and tree extension are shared by them, so
/// what a push costs falls as the load grows), d per announcement (a long poll answered with a new checkpoint, or a
/// size event written, each to one waiting device). Fitted by least squares over the runs given; the commits and
/// announcements are the relays' own counts (<see cref="RelayTotals"/>).
/// CPU time, not wall time, because on a shared machine the CPU a relay gets moves from run to run while what a
/// request costs moves far less; instances needed = load × cost ÷ cores.
/// Run: <c>--check-model fit1.json fit2.json [more fits…] target.json</c>; exit 0 when the prediction for the last is
/// within 20 %.</summary>
internal static class ModelCheck
{
    /// <summary>Each term of a form must move by at least this share independently of the form's other terms over the
    /// fitted runs (1 − R² of the term on the others, uncentred): else its cost cannot be told from theirs. About the old
    /// rule for two runs and two terms (their ops a request differing by 20 % gives 0.012).</summary>
    internal const double MinIndependentShare = 0.01;

    private sealed record Term(string Name, string Per, Func<FleetReport, double?> Value);

    private static readonly Term Requests = new("requests", "a request", r => r.Requests);
    private static readonly Term Ops = new("ops", "an op", r => r.AckedTotal);
    private static readonly Term Commits = new("commits", "a commit", r => r.RelayCommits);
    private static readonly Term Announcements = new("announcements", "an announcement", r => r.RelayLongPollAnswers + r.RelaySizeEvents);

    // The forms tried, most terms first; the first the fitted runs determine is used. Two runs determine two terms at
    // most: across load levels the commits are the term that moves (docs/scaling.md), so per op and per commit comes
    // before the old per request and per op. Last, always: one term, CPU per op.
    private static readonly (string Name, Term[] Terms)[] Forms =
    [
        ("four terms", [Requests, Ops, Commits, Announcements]),
        ("three terms", [Requests, Ops, Commits]),
        ("two terms, per op and per commit", [Ops, Commits]),
        ("two terms", [Requests, Ops]),
    ];

    public static int Run(string[] paths, TextWriter output)
    {
        if (paths.Length < 3)
        {
            output.WriteLine("--check-model takes three or more fleet summaries: the runs to fit on (two or more), then the one to predict.");
            return 2;
        }

        var runs = new FleetReport[paths.Length];
        for (var i = 0; i < runs.Length; i++)
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
                $"{path}: {r.Tills} tills, {r.Requests} requests, {r.AckedTotal} ops ({(double)r.AckedTotal / r.Requests:F2} a request), {(r.RelayCommits is { } c ? $"{c} commits ({(c > 0 ? ((double)r.AckedTotal / c).ToString("F2", CultureInfo.InvariantCulture) : "-")} ops a commit)" : "commits not recorded")}, {(Announcements.Value(r) is { } a ? $"{a} announcements" : "announcements not recorded")}, relay CPU {r.RelayCpuSeconds:F2} s, {r.RelayCpuSeconds * 1000 / r.Requests:F3} ms a request"));
        }

        var fit = runs[..^1];
        var target = runs[^1];
        string model = "";
        Term[] terms = [];
        double[] costs = [];
        double? sensitivity = null;
        foreach (var (name, formTerms) in Forms)
        {
            var why = TryFit(formTerms, fit, target, out var fitted, out var amplification);
            if (why is not null)
            {
                output.WriteLine($"skipped ({name}): {why}");
                continue;
            }

            (model, terms, costs, sensitivity) = (name, formTerms, fitted, amplification);
            break;
        }

        if (terms.Length == 0)
        {
            // No form with more terms was determined by the runs: CPU per op. Before group commit a request cost about
            // twice an op and this fell back to CPU per request; since group commit a request's own share is small and
            // what a push costs moves with the commits, so the per-op form is the one that tracks the relay's work at one
            // load level. The per-request form's prediction is printed beside it.
            model = "one term, CPU per op (no form with more terms was determined by the runs fitted on)";
            terms = [Ops];
            costs = [fit.Sum(r => r.RelayCpuSeconds) / fit.Sum(r => (double)r.AckedTotal)];
            var perRequest = fit.Sum(r => r.RelayCpuSeconds) / fit.Sum(r => (double)r.Requests) * target.Requests;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"(the one-term form in CPU per request would predict {perRequest:F2} s, {(perRequest - target.RelayCpuSeconds) / target.RelayCpuSeconds * 100:+0.0;-0.0} %)"));
        }

        var predicted = terms.Select((t, i) => costs[i] * t.Value(target)!.Value).Sum();
        var error = (predicted - target.RelayCpuSeconds) / target.RelayCpuSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model ({model}): {string.Join(" + ", terms.Select((t, i) => string.Create(CultureInfo.InvariantCulture, $"{costs[i] * 1000:F3} ms CPU {t.Per}")))}; fitted on {fit.Length} runs"));
        if (sensitivity is { } s)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"(an error of 5 % in the fitted runs' CPU moves this prediction by up to {5 * s:F1} %)"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"predicted relay CPU for {paths[^1]}: {predicted:F2} s; measured {target.RelayCpuSeconds:F2} s; error {error * 100:+0.0;-0.0} % ({(Math.Abs(error) <= 0.2 ? "within" : "NOT within")} 20 %)"));
        return Math.Abs(error) <= 0.2 ? 0 : 1;
    }

    /// <summary>Least squares of the runs' relay CPU on <paramref name="terms"/>; null when it fits, else why the runs do not
    /// determine the form. <paramref name="amplification"/>: Σ|wᵢ·cpuᵢ| ÷ prediction, where the prediction is Σ wᵢ·cpuᵢ
    /// over the fitted runs — how much an error in their CPU can move it (1 when it interpolates).</summary>
    private static string? TryFit(Term[] terms, FleetReport[] runs, FleetReport target, out double[] costs, out double amplification)
    {
        costs = [];
        amplification = 0;
        foreach (var term in terms)
        {
            if (runs.Append(target).Any(r => term.Value(r) is null)) return $"{term.Name} not recorded in every summary";
        }

        int n = runs.Length, k = terms.Length;
        if (n < k) return $"{k} terms need at least {k} runs to fit on, {n} given";

        // Columns scaled to unit length: the shares below do not depend on a term's units, and the system is well scaled.
        var x = new double[n, k];
        var norms = new double[k];
        for (var j = 0; j < k; j++)
        {
            for (var i = 0; i < n; i++) x[i, j] = terms[j].Value(runs[i])!.Value;
            norms[j] = Math.Sqrt(Enumerable.Range(0, n).Sum(i => x[i, j] * x[i, j]));
            if (norms[j] == 0) return $"{terms[j].Name} is zero in every run fitted on";
            for (var i = 0; i < n; i++) x[i, j] /= norms[j];
        }

        var gram = new double[k, k];
        for (var p = 0; p < k; p++)
        {
            for (var q = 0; q < k; q++) gram[p, q] = Enumerable.Range(0, n).Sum(i => x[i, p] * x[i, q]);
        }

        // A term's independent share: 1 − R² of its column on the others' = 1 ÷ (G⁻¹)ⱼⱼ for a unit-length column.
        for (var j = 0; j < k; j++)
        {
            var unit = new double[k];
            unit[j] = 1;
            var column = Solve(gram, unit);
            var share = column is null ? 0 : 1 / column[j];
            if (!(share >= MinIndependentShare))
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"the runs do not separate the terms: {terms[j].Name} moves with the others (independent share {share:F4}, under {MinIndependentShare})");
            }
        }

        var y = runs.Select(r => r.RelayCpuSeconds).ToArray();
        var xty = new double[k];
        for (var j = 0; j < k; j++) xty[j] = Enumerable.Range(0, n).Sum(i => x[i, j] * y[i]);
        var scaled = Solve(gram, xty);
        if (scaled is null) return "the runs do not separate the terms (singular)";
        costs = scaled.Select((b, j) => b / norms[j]).ToArray();
        for (var j = 0; j < k; j++)
        {
            if (costs[j] < 0)
            {
                var negative = costs[j];
                costs = [];
                return string.Create(CultureInfo.InvariantCulture, $"the fit gave a negative cost ({negative * 1000:F3} ms CPU {terms[j].Per}): the runs do not separate the terms");
            }
        }

        // The prediction as a weighted sum of the fitted runs' CPU: w = X (XᵀX)⁻¹ x_target.
        var t = terms.Select((term, j) => term.Value(target)!.Value / norms[j]).ToArray();
        var z = Solve(gram, t)!;
        var weighted = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, k).Sum(j => x[i, j] * z[j]) * y[i]).ToArray();
        amplification = weighted.Sum(Math.Abs) / weighted.Sum();
        return null;
    }

    // Gaussian elimination with partial pivoting; null when the matrix is singular (to rounding).
    private static double[]? Solve(double[,] a, double[] b)
    {
        var k = b.Length;
        var m = new double[k, k + 1];
        for (var p = 0; p < k; p++)
        {
            for (var q = 0; q < k; q++) m[p, q] = a[p, q];
            m[p, k] = b[p];
        }

        for (var col = 0; col < k; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < k; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            if (Math.Abs(m[pivot, col]) < 1e-12) return null;
            for (var q = 0; q <= k; q++) (m[col, q], m[pivot, q]) = (m[pivot, q], m[col, q]);
            for (var r = 0; r < k; r++)
            {
                if (r == col) continue;
                var f = m[r, col] / m[col, col];
                for (var q = col; q <= k; q++) m[r, q] -= f * m[col, q];
            }
        }

        return Enumerable.Range(0, k).Select(p => m[p, k] / m[p, p]).ToArray();
    }
}
