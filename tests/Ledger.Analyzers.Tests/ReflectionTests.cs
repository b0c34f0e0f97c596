using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0011: reflection order is unspecified and late binding depends on what is loaded.</summary>
public class ReflectionTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Member_lists_Activator_and_dynamic_are_reported() => Analyzer("""
        public sealed class Late() : Verb<Args>("late", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var first = {|#0:typeof(Args).GetProperties()|}[0].Name;
                var made = {|#1:Activator.CreateInstance(typeof(List<long>))|};
                dynamic value = {|#2:args|};
                var key = {|#3:value.Key|};
            }
        }
        """,
        Reachable(DiagnosticIds.Reflection, 0, "'Type.GetProperties' lists members in an unspecified order", "Verb Late → Late.Execute → Type.GetProperties"),
        Reachable(DiagnosticIds.Reflection, 1, "'Activator.CreateInstance' creates instances by late binding", "Verb Late → Late.Execute → Activator.CreateInstance"),
        Reachable(DiagnosticIds.Reflection, 2, "'dynamic' converts to dynamic", "Verb Late → Late.Execute → dynamic"),
        Reachable(DiagnosticIds.Reflection, 3, "'dynamic' binds late, at run time", "Verb Late → Late.Execute → dynamic"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Reflecting_one_named_member_is_clean() => Analyzer("""
        public sealed class Named() : Verb<Args>("named", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var property = typeof(Args).GetProperty(nameof(Args.Key));
                if (property is null) ctx.Refuse(nameof(Args));
            }
        }
        """);
}
