using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>Classes of nondeterminism an app team slipped past the lint (issue 21), each caught as a class.</summary>
public class EvasionTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Case_insensitive_regex_exception_messages_and_the_cpus_vector_width_are_reported() => Analyzer("""
        public static class Rows
        {
            public static readonly BranchTable<string> Notes = new("notes");
        }

        public sealed class Platform() : Verb<Args>("platform", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                if ({|#0:System.Text.RegularExpressions.Regex.IsMatch(args.Key, "^ab", System.Text.RegularExpressions.RegexOptions.IgnoreCase)|}) ctx.Refuse("a");
                if ({|#1:new System.Text.RegularExpressions.Regex("(?i)^cd")|}.IsMatch(args.Key)) ctx.Refuse("c");
                if (System.Text.RegularExpressions.Regex.IsMatch(args.Key, "^ef", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)) ctx.Refuse("e");
                try
                {
                    checked { _ = args.Amount * long.MaxValue; }
                }
                catch (OverflowException e)
                {
                    ctx.Put(Rows.Notes, args.Key, {|#2:e.Message|});
                }

                ctx.Put(Rows.Notes, "width", {|#3:System.Numerics.Vector<long>.Count|} > 2 ? "wide" : "narrow");
            }
        }
        """,
        Reachable(DiagnosticIds.CultureSensitive, 0, "'Regex.IsMatch' ignores case with the current culture's casing rules; add RegexOptions.CultureInvariant", "Verb Platform → Platform.Execute → Regex.IsMatch"),
        Reachable(DiagnosticIds.CultureSensitive, 1, "'new Regex' ignores case with the current culture's casing rules; add RegexOptions.CultureInvariant", "Verb Platform → Platform.Execute → new Regex"),
        Reachable(DiagnosticIds.CultureSensitive, 2, "'Exception.Message' is text in the current UI culture that changes between runtime versions", "Verb Platform → Platform.Execute → Exception.Message"),
        Reachable(DiagnosticIds.Environment, 3, "'Vector<long>.Count' is the CPU's vector width", "Verb Platform → Platform.Execute → Vector<long>.Count"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Pointer_addresses_and_uninitialized_stack_memory_are_reported() => Analyzer("""
        public static class Rows
        {
            public static readonly BranchTable<long> Numbers = new("numbers");
        }

        public sealed unsafe class Raw() : Verb<Args>("raw", 1, Scope.Branch)
        {
            [System.Runtime.CompilerServices.SkipLocalsInit]
            protected override void Execute(VerbContext ctx, Args args)
            {
                long local = args.Amount;
                ctx.Put(Rows.Numbers, "address", {|#0:(long)&local|} & 0xff);
                Span<byte> scratch = {|#1:stackalloc byte[8]|};
                Span<byte> zeroed = stackalloc byte[] { 0, 0 };
                ctx.Put(Rows.Numbers, "leftover", scratch[3] + zeroed[0]);
            }
        }
        """,
        test => test.SolutionTransforms.Add((solution, project) =>
            solution.WithProjectCompilationOptions(project, ((CSharpCompilationOptions)solution.GetProject(project)!.CompilationOptions!).WithAllowUnsafe(true))),
        Reachable(DiagnosticIds.Environment, 0, "'pointer as a number' reads a memory address, which differs between runs and devices", "Verb Raw → Raw.Execute → pointer as a number"),
        Reachable(DiagnosticIds.Environment, 1, "'stackalloc under [SkipLocalsInit]' reads uninitialized stack memory, which holds what earlier calls left there", "Verb Raw → Raw.Execute → stackalloc under [SkipLocalsInit]"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task The_framework_calling_back_into_user_code_is_followed() => Analyzer("""
        public sealed class Money(long cents)
        {
            public override string ToString() => {|#0:(cents / 100m).ToString()|};
        }

        public sealed class ByLength : IComparer<string>
        {
            public int Compare(string? x, string? y) => {|#1:string.Compare(x, y)|};
        }

        public sealed class Bag(HashSet<string> items) : IEnumerable<string>
        {
            public IEnumerator<string> GetEnumerator() => {|#2:items|}.GetEnumerator();
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }

        public sealed record Reading(string Sensor, decimal Value);

        public static class Rows
        {
            public static readonly BranchTable<string> Notes = new("notes");
        }

        public sealed class Callbacks() : Verb<Args>("callbacks", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                ctx.Put(Rows.Notes, "money", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{new Money(args.Amount)}"));
                var keys = new List<string> { args.Key, "b" };
                keys.Sort(new ByLength());
                ctx.Put(Rows.Notes, "first", string.Concat(new Bag(new HashSet<string>(keys, StringComparer.Ordinal)).Take(1)));
                ctx.Put(Rows.Notes, "reading", {|#3:$"{new Reading(args.Key, args.Amount)}"|});
                ctx.Put(Rows.Notes, "made", Make<Money2>().Text);
            }

            private static T Make<T>() where T : new() => {|#4:new T()|};
        }

        public sealed class Money2
        {
            public string Text { get; } = "0";
        }
        """,
        Reachable(DiagnosticIds.CultureSensitive, 0, "'decimal.ToString' formats with the current culture", "Verb Callbacks → Callbacks.Execute → new Money → Money.ToString → decimal.ToString"),
        Reachable(DiagnosticIds.CultureSensitive, 1, "'string.Compare' compares with the current culture", "Verb Callbacks → Callbacks.Execute → new ByLength → ByLength.Compare → string.Compare"),
        Reachable(DiagnosticIds.UnorderedEnumeration, 2, "'HashSet<string>' is consumed in hash order by 'HashSet<string>.GetEnumerator'", "Verb Callbacks → Callbacks.Execute → new Bag → Bag.GetEnumerator → HashSet<string>"),
        Reachable(DiagnosticIds.CultureSensitive, 3, "'$\"…\"' formats record Reading, whose synthesized ToString prints its members with the current culture", "Verb Callbacks → Callbacks.Execute → $\"…\""),
        Reachable(DiagnosticIds.Reflection, 4, "'new T()' creates an instance of a type parameter by late binding (Activator), whose constructor the lint cannot follow", "Verb Callbacks → Callbacks.Make → new T()"));
}
