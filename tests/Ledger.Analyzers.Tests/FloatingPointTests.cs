using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0008: floating point in args, fields and written values, and transcendental math.</summary>
public class FloatingPointTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Floating_point_in_args_fields_written_values_and_transcendentals_is_reported() => Analyzer("""
        public sealed record Reading(string Sensor, double Celsius);

        public static class Readings
        {
            public static readonly BranchTable<Reading> Table = new("readings");

            public static double Decay(double value) => value * {|#3:Math.Exp(-0.5)|};
        }

        public sealed class Record() : {|#0:Verb<Reading>("record", 1, Scope.Branch)|}
        {
            private float {|#1:_scale|} = 1;

            protected override void Execute(VerbContext ctx, Reading args)
            {
                ctx.Put(Readings.Table, args.Sensor, {|#2:args with { Celsius = Readings.Decay(args.Celsius) }|});
            }
        }
        """,
        Reachable(DiagnosticIds.FloatingPoint, 0, "'Reading.Celsius (double)' is floating point in the verb's args", "Verb Record → Reading.Celsius (double)"),
        Reachable(DiagnosticIds.FloatingPoint, 1, "'Record._scale (float)' keeps floating point in the verb", "Verb Record → Record._scale (float)"),
        Reachable(DiagnosticIds.VerbInstanceState, 1, "'Record._scale' is a field the verb instance can change; one instance serves every op, so it is state shared between ops", "Verb Record → Record._scale"),
        Reachable(DiagnosticIds.FloatingPoint, 2, "'VerbContext.Put' writes floating point into state (Reading.Celsius (double))",
            "Verb Record → Record.Execute → VerbContext.Put"),
        Reachable(DiagnosticIds.FloatingPoint, 3, "'Math.Exp' computes a transcendental function whose last bits differ between platforms",
            "Verb Record → Record.Execute → Readings.Decay → Math.Exp"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Decimal_and_integer_arithmetic_is_clean() => Analyzer("""
        public static class Money
        {
            public static readonly BranchTable<decimal> Totals = new("totals");
        }

        public sealed class Charge() : Verb<Args>("charge", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var gross = args.Amount / 100m * 1.2m;
                var rounded = Math.Round(gross, 2, MidpointRounding.ToEven);
                var cents = Math.Max(Math.Abs(args.Amount), 1L) * 3 / 7;
                ctx.Put(Money.Totals, args.Key, rounded + cents);
            }
        }
        """);
}
