using System.Globalization;

namespace Ledger.Benchmarks;

/// <summary>Shares of a baseline from rounds in which the baseline was timed right before and right after the
/// candidate. A round whose two baselines differ by more than <see cref="SteadyHost"/> saw the host change speed
/// (this one switches between two speeds within seconds) and is reported apart.</summary>
internal sealed class BracketedShares(string baseline)
{
    /// <summary>How far the baselines before and after a round may differ for the round to count as steady.</summary>
    public const double SteadyHost = 0.10;

    private readonly List<double> _all = [];
    private readonly List<double> _steady = [];

    /// <summary>Records a round; returns the candidate's share of the baseline and whether the host held still.</summary>
    public (double Share, bool Steady) Add(TimeSpan baselineBefore, TimeSpan baselineAfter, TimeSpan candidate)
    {
        var baselineTime = (baselineBefore + baselineAfter) / 2;
        var share = baselineTime / candidate;
        var steady = Math.Abs((baselineBefore - baselineAfter) / baselineTime) <= SteadyHost;
        _all.Add(share);
        if (steady) _steady.Add(share);
        return (share, steady);
    }

    /// <summary>Prints the median, quartiles and range of the steady rounds and of all rounds.</summary>
    public void Report(string what)
    {
        if (_steady.Count > 0) Print($"{what}, rounds on a steady host (baselines within {SteadyHost:P0})", _steady);
        Print(what, _all);
    }

    private void Print(string what, List<double> shares)
    {
        shares.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: share of {baseline} over {shares.Count} paired rounds: median {shares[shares.Count / 2]:F2}, quartiles {shares[shares.Count / 4]:F2}-{shares[shares.Count * 3 / 4]:F2}, range {shares[0]:F2}-{shares[^1]:F2}"));
    }
}
