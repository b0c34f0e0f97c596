using Xunit.Abstractions;

namespace Ledger.Fuzz.Tests;

/// <summary>Fuzzes every public decoder (docs/reliability.md, "Fuzzing"): a bounded number of seeded cases per target in
/// CI; <c>LEDGER_FUZZ_CASES</c> or <c>LEDGER_FUZZ_SECONDS</c> for long runs, <c>LEDGER_FUZZ_REPLAY</c> to replay one case.</summary>
public class DecoderFuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string> TargetNames() => [.. Targets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(TargetNames))]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public void Every_mutation_of_a_valid_input_is_refused_with_the_documented_typed_failure_or_re_encodes_to_the_same_bytes(string target)
    {
        var fuzz = Targets.All.Single(t => t.Name == target);
        var report = FuzzRunner.Run(fuzz, FuzzSettings.FromEnvironment(), KnownFailures.ByTarget.GetValueOrDefault(target));
        output.WriteLine(report.ToString());
        if (report.FirstKnownFailure is { } known) output.WriteLine("known failure (KnownFailures): " + known);
    }
}
