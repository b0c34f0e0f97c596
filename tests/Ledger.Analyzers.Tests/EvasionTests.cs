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

/// <summary>Suppressions that got round "every suppression is an error" (issue 21).</summary>
public class SuppressionEvasionTests
{
    private const string GeneratedHeader = """
        // <auto-generated/>
        using System;
        using Ledger.Kernel;

        """;

    private const string ClockVerb = """
        public sealed class Stamp() : Verb<Args>("stamp", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse(DateTime.Now.Year > 2000 ? "late" : "early");
        }
        """;

    private static Action<Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<DeterminismAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>> With(string path, string source) =>
        test => test.TestState.Sources.Add((path, source));

    [Fact]
    [Trait("Risk", "D1")]
    public Task SuppressMessage_with_named_arguments_in_any_order_is_reported() => Analyzer("""
        public sealed class Open() : Verb<Args>("open", 1, Scope.Branch)
        {
            [{|#0:System.Diagnostics.CodeAnalysis.SuppressMessage(checkId: "LDG0002:Randomness", category: "Determinism")|}]
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse(Guid.NewGuid().ToString());
        }
        """,
        Diagnostic(DiagnosticIds.SuppressedInSource).WithLocation(0).WithArguments("[SuppressMessageAttribute]", "LDG0002"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Pragmas_and_assembly_suppressions_in_generated_files_are_reported_but_a_generators_bare_pragma_is_not() => Analyzer(ClockVerb,
        test =>
        {
            test.TestState.Sources.Add(("/0/Quiet.g.cs", GeneratedHeader + """
                #pragma warning disable LDG0001
                [assembly: System.Diagnostics.CodeAnalysis.SuppressMessage("Determinism", "LDG0001", Scope = "namespaceanddescendants", Target = "~N:")]
                public sealed class Quiet() : Verb<Args>("quiet", 1, Scope.Branch)
                {
                    protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse("no");
                }
                """));
            test.TestState.Sources.Add(("/0/Hidden.cs", GeneratedHeader + """
                #pragma warning disable
                public sealed class Hidden() : Verb<Args>("hidden", 1, Scope.Branch)
                {
                    protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse("no");
                }
                """));
            test.TestState.Sources.Add(("/0/Helpers.g.cs", GeneratedHeader + """
                #pragma warning disable
                public static class Helpers
                {
                    public static int Two() => 2;
                }
                """));
        },
        Diagnostic(DiagnosticIds.SuppressedInSource).WithSpan("/0/Hidden.cs", 4, 1, 4, 24).WithArguments("'#pragma warning disable'", "every warning, the determinism rules included"),
        Diagnostic(DiagnosticIds.SuppressedInSource).WithSpan("/0/Quiet.g.cs", 4, 1, 4, 32).WithArguments("'#pragma warning disable'", "LDG0001"),
        Diagnostic(DiagnosticIds.SuppressedInSource).WithSpan("/0/Quiet.g.cs", 5, 12, 5, 136).WithArguments("[SuppressMessageAttribute]", "LDG0001"),
        Diagnostic(DiagnosticIds.WallClock).WithSpan(14, 79, 14, 91).WithArguments("'DateTime.Now' reads the wall clock", "Verb Stamp → Stamp.Execute → DateTime.Now"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task GeneratedCode_on_a_verb_is_reported() => Analyzer("""
        [{|#0:System.CodeDom.Compiler.GeneratedCode("tool", "1.0")|}]
        public sealed class Made() : Verb<Args>("made", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args) => ctx.Refuse({|#1:DateTime.Now|}.Year > 2000 ? "late" : "early");
        }
        """,
        Diagnostic(DiagnosticIds.SuppressedInSource).WithLocation(0).WithArguments("[GeneratedCode] on verb Made", "the determinism rules in tools that skip generated code"),
        Reachable(DiagnosticIds.WallClock, 1, "'DateTime.Now' reads the wall clock", "Verb Made → Made.Execute → DateTime.Now"));

    [Theory]
    [Trait("Risk", "D1")]
    [InlineData("dotnet_analyzer_diagnostic.category-Determinism.severity", "none")]
    [InlineData("dotnet_analyzer_diagnostic.severity", "none")]
    public Task A_bulk_severity_for_the_category_or_every_analyzer_is_reported(string key, string value) => Analyzer(ClockVerb,
        test => test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", $"root = true\n\n[*.cs]\n{key} = {value}\n")),
        Diagnostic(DiagnosticIds.SuppressedByConfiguration).WithArguments(".editorconfig for Test0.cs", key.ToLowerInvariant(), value),
        Diagnostic(DiagnosticIds.WallClock).WithSpan(14, 79, 14, 91).WithArguments("'DateTime.Now' reads the wall clock", "Verb Stamp → Stamp.Execute → DateTime.Now"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Generated_code_true_on_a_verbs_file_is_reported() => Analyzer(ClockVerb,
        test => test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\ngenerated_code = true\n")),
        Diagnostic(DiagnosticIds.SuppressedByConfiguration).WithSpan(12, 21, 12, 26).WithArguments(".editorconfig for Test0.cs (declaring verb Stamp)", "generated_code", "true"),
        Diagnostic(DiagnosticIds.WallClock).WithSpan(14, 79, 14, 91).WithArguments("'DateTime.Now' reads the wall clock", "Verb Stamp → Stamp.Execute → DateTime.Now"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task NoWarn_listing_the_rule_that_reports_NoWarn_is_still_reported() => Analyzer(ClockVerb,
        test => test.SolutionTransforms.Add((solution, project) =>
        {
            var options = solution.GetProject(project)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(project, options.WithSpecificDiagnosticOptions(options.SpecificDiagnosticOptions
                .SetItem(DiagnosticIds.WallClock, ReportDiagnostic.Suppress)
                .SetItem(DiagnosticIds.SuppressedByConfiguration, ReportDiagnostic.Suppress)
                .SetItem(DiagnosticIds.SuppressedInSource, ReportDiagnostic.Suppress)));
        }),
        Diagnostic(DiagnosticIds.SuppressedByConfiguration).WithArguments("NoWarn or the project's rule settings", "LDG0001", "suppress"),
        Diagnostic(DiagnosticIds.SuppressedByConfiguration).WithArguments("NoWarn or the project's rule settings", "LDG0013", "suppress"),
        Diagnostic(DiagnosticIds.SuppressedByConfiguration).WithArguments("NoWarn or the project's rule settings", "LDG0014", "suppress"));
}

/// <summary>LDG0017 and LDG0010: state that outlives the op on the verb instance, in static objects and in closures,
/// and dependencies handed to a verb (issue 21).</summary>
public class InstanceStateTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Fields_the_verb_instance_changes_are_reported() => Analyzer("""
        public static class Rows
        {
            public static readonly CounterTable Applied = new("applied");
        }

        public sealed class Counting() : Verb<Args>("counting", 1, Scope.Shared)
        {
            private long {|#0:_applied|};
            private readonly List<string> _seen = new();
            public string {|#1:Last|} { get; set; } = "";

            protected override void Execute(VerbContext ctx, Args args)
            {
                {|#2:_applied|}++;
                if ({|#3:_seen|}.Contains(args.Key)) ctx.Refuse("seen");
                {|#4:_seen|}.Add(args.Key);
                ctx.Add(Rows.Applied, args.Key, _applied);
            }
        }
        """,
        Reachable(DiagnosticIds.VerbInstanceState, 0, "'Counting._applied' is a field the verb instance can change; one instance serves every op, so it is state shared between ops", "Verb Counting → Counting._applied"),
        Reachable(DiagnosticIds.VerbInstanceState, 1, "'Counting.Last' is a settable property of the verb instance; one instance serves every op, so it is state shared between ops", "Verb Counting → Counting.Last"),
        Reachable(DiagnosticIds.VerbInstanceState, 2, "'Counting._applied' is a field of the verb instance that this code changes; one instance serves every op", "Verb Counting → Counting.Execute → Counting._applied"),
        Reachable(DiagnosticIds.VerbInstanceState, 4, "'Counting._seen' is an object on the verb instance that this code changes; one instance serves every op", "Verb Counting → Counting.Execute → Counting._seen"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task A_static_readonly_object_whose_fields_change_and_a_counter_in_a_closure_held_in_a_static_are_reported() => Analyzer("""
        public sealed class Tally
        {
            private long _count;
            public long Next() => ++_count;
        }

        public static class Shared
        {
            public static readonly Tally Calls = new();
            public static readonly Func<long> NextId = Counter();

            private static Func<long> Counter()
            {
                long n = 0;
                return {|#1:() => ++n|};
            }
        }

        public static class Rows
        {
            public static readonly CounterTable Seen = new("seen");
        }

        public sealed class Leaky() : Verb<Args>("leaky", 1, Scope.Shared)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                ctx.Add(Rows.Seen, args.Key, {|#0:Shared.Calls|}.Next() + Shared.NextId());
            }
        }
        """,
        Reachable(DiagnosticIds.StaticMutableState, 0, "'Shared.Calls' is a static object whose fields can change", "Verb Leaky → Leaky.Execute → Shared.Calls"),
        Reachable(DiagnosticIds.StaticMutableState, 1, "'closure over n' changes a captured variable and outlives the call that made it, so the variable is state kept between ops", "Verb Leaky → Leaky.Execute → Shared (static initialization) → Shared.NextId (initializer) → Shared.Counter → closure over n"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Dependencies_handed_to_a_verb_are_reported_and_constants_are_not() => Analyzer("""
        public interface IClock
        {
            long Now();
        }

        public sealed record Rate(string Code, int BasisPoints);

        public static class Rows
        {
            public static readonly BranchTable<long> Stamps = new("stamps");
        }

        public sealed class Stamped(Func<long> {|#0:clock|}, IClock {|#1:other|}, int offset, string prefix, Rate rate, BranchTable<long> table)
            : Verb<Args>("stamped", 1, Scope.Branch)
        {
            public Func<long>? {|#2:Fallback|} { get; init; }

            protected override void Execute(VerbContext ctx, Args args) =>
                ctx.Put(table, prefix + args.Key, clock() + other.Now() + offset + rate.BasisPoints);
        }
        """,
        Reachable(DiagnosticIds.VerbInstanceState, 0, "'Func<long> clock' is a dependency handed to the verb's constructor, whose code the lint cannot see; a verb is constructed only with constants (numbers, strings, enums, table handles) and reads everything else from the op", "Verb Stamped → Func<long> clock"),
        Reachable(DiagnosticIds.VerbInstanceState, 1, "'IClock other' is a dependency handed to the verb's constructor, whose code the lint cannot see; a verb is constructed only with constants (numbers, strings, enums, table handles) and reads everything else from the op", "Verb Stamped → IClock other"),
        Reachable(DiagnosticIds.VerbInstanceState, 2, "'Stamped.Fallback' hands the verb a Func<long> when it is built; a verb is built only with constants (numbers, strings, enums, table handles)", "Verb Stamped → Stamped.Fallback"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task Objects_a_verb_creates_in_the_call_and_lookup_tables_it_only_reads_are_clean() => Analyzer("""
        public sealed class Acc
        {
            private long _sum;
            public void Add(long x) => _sum += x;
            public long Sum => _sum;
        }

        public static class Rows
        {
            public static readonly CounterTable Totals = new("totals");
        }

        public sealed class Summing() : Verb<Args>("summing", 1, Scope.Shared)
        {
            private readonly Dictionary<string, long> _weights = new(StringComparer.Ordinal) { ["a"] = 2 };
            private readonly int _scale = 10;

            protected override void Execute(VerbContext ctx, Args args)
            {
                var acc = new Acc();
                var parts = new List<long> { args.Amount, 1 };
                parts.ForEach(p => acc.Add(p));
                long local = 0;
                Action bump = () => local++;
                bump();
                var weight = _weights.TryGetValue(args.Key, out var w) ? w : 1;
                ctx.Add(Rows.Totals, args.Key, acc.Sum * weight * _scale + local);
            }
        }
        """);
}
