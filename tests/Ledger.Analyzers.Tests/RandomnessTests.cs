using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0002: every replica would draw a different number or id.</summary>
public class RandomnessTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Guid_NewGuid_in_a_verb_is_reported() => Analyzer("""
        public sealed class Open() : Verb<Args>("open", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var id = {|#0:Guid.NewGuid()|};
            }
        }
        """,
        Reachable(DiagnosticIds.Randomness, 0, "'Guid.NewGuid' mints a random id", "Verb Open → Open.Execute → Guid.NewGuid"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Random_seeded_or_shared_RandomNumberGenerator_and_CreateVersion7_even_with_the_ops_time_are_reported() => Analyzer("""
        public sealed class Draw() : Verb<Args>("draw", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var a = {|#5:{|#0:new Random(42)|}.Next()|};
                var b = {|#1:{|#2:Random.Shared|}.Next(10)|};
                var c = {|#3:System.Security.Cryptography.RandomNumberGenerator.GetInt32(10)|};
                var d = {|#4:Guid.CreateVersion7(ctx.AtTime)|};
            }
        }
        """,
        Reachable(DiagnosticIds.Randomness, 0, "'new Random' draws random numbers", "Verb Draw → Draw.Execute → new Random"),
        Reachable(DiagnosticIds.Randomness, 5, "'Random.Next' draws random numbers", "Verb Draw → Draw.Execute → Random.Next"),
        Reachable(DiagnosticIds.Randomness, 1, "'Random.Next' draws random numbers", "Verb Draw → Draw.Execute → Random.Next"),
        Reachable(DiagnosticIds.Randomness, 2, "'Random.Shared' draws random numbers", "Verb Draw → Draw.Execute → Random.Shared"),
        Reachable(DiagnosticIds.Randomness, 3, "'RandomNumberGenerator.GetInt32' draws random bytes", "Verb Draw → Draw.Execute → RandomNumberGenerator.GetInt32"),
        Reachable(DiagnosticIds.Randomness, 4, "'Guid.CreateVersion7' mints an id from random bits (and the clock unless given a timestamp)",
            "Verb Draw → Draw.Execute → Guid.CreateVersion7"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Ids_derived_from_the_op_are_clean() => Analyzer("""
        public sealed class Open() : Verb<Args>("open", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var first = ctx.NewId();
                var second = ctx.NewId(1);
                var parsed = Guid.Parse("8f0c2f4e-6c1a-4b8e-9d4a-0a2b3c4d5e6f");
            }
        }
        """);
}
