using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0005: machine, variables, runtime switches, culture and time zone differ between devices.</summary>
public class EnvironmentTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Environment_AppContext_current_culture_and_local_time_zone_are_reported() => Analyzer("""
        public sealed class Local() : Verb<Args>("local", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var machine = {|#0:Environment.MachineName|};
                var on = {|#1:AppContext.TryGetSwitch("x", out var enabled)|};
                var culture = {|#2:CultureInfo.CurrentCulture|};
                var zone = {|#3:TimeZoneInfo.Local|};
                var local = {|#4:ctx.AtTime.UtcDateTime.ToLocalTime()|};
                var turkish = {|#5:new CultureInfo("tr-TR")|};
                DateTimeOffset offset = {|#6:ctx.AtTime.UtcDateTime|};
            }
        }
        """,
        Reachable(DiagnosticIds.Environment, 0, "'Environment.MachineName' reads the process environment", "Verb Local → Local.Execute → Environment.MachineName"),
        Reachable(DiagnosticIds.Environment, 1, "'AppContext.TryGetSwitch' reads runtime switches", "Verb Local → Local.Execute → AppContext.TryGetSwitch"),
        Reachable(DiagnosticIds.Environment, 2, "'CultureInfo.CurrentCulture' reads the current culture", "Verb Local → Local.Execute → CultureInfo.CurrentCulture"),
        Reachable(DiagnosticIds.Environment, 3, "'TimeZoneInfo.Local' reads the local time-zone database", "Verb Local → Local.Execute → TimeZoneInfo.Local"),
        Reachable(DiagnosticIds.Environment, 4, "'DateTime.ToLocalTime' uses the local time zone", "Verb Local → Local.Execute → DateTime.ToLocalTime"),
        Reachable(DiagnosticIds.Environment, 5, "'new CultureInfo' loads culture data from the operating system", "Verb Local → Local.Execute → new CultureInfo"),
        Reachable(DiagnosticIds.Environment, 6, "'DateTimeOffset.op_Implicit' uses the local time zone", "Verb Local → Local.Execute → DateTimeOffset.op_Implicit"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task The_invariant_culture_and_UTC_are_clean() => Analyzer("""
        public sealed class Utc() : Verb<Args>("utc", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var invariant = CultureInfo.InvariantCulture;
                var utc = TimeZoneInfo.Utc;
                var at = new DateTimeOffset(ctx.AtTime.UtcDateTime.Ticks, TimeSpan.Zero);
                var text = ctx.AtTime.ToString("O", invariant);
            }
        }
        """);
}
