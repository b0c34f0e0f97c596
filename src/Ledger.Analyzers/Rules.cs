using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>The descriptors of the determinism lint. Every rule is an error by default: a verb that
/// reads something other than the op and the state splits two replicas' books silently.</summary>
internal static class Rules
{
    public const string Category = "Determinism";

    public const string PrivacyCategory = "Privacy";

    private const string ReachableMessage = "{0} in verb code: {1}";

    // LDG0013 and LDG0014 are not configurable: NoWarn or a severity (by id, by category or for all analyzers)
    // cannot silence the rules that report silencing.

    // Code inside a verb type is reported as soon as it is analyzed (IDEs show it live and offer the
    // fixes there). Code reached through calls is known only once the whole compilation has been seen,
    // so it is reported from the compilation-end action with the tagged twin of the same rule.
    private static readonly string[] CompilationEnd = [WellKnownDiagnosticTags.CompilationEnd];

    private static readonly System.Collections.Generic.Dictionary<DiagnosticDescriptor, DiagnosticDescriptor> AtEnd = [];

    public static readonly DiagnosticDescriptor WallClock = Reachable(DiagnosticIds.WallClock,
        "Verb code reads the wall clock or a timer",
        "Replicas fold the same op at different times; only the op's own time (VerbContext.At / AtTime) is the same everywhere.");

    public static readonly DiagnosticDescriptor Randomness = Reachable(DiagnosticIds.Randomness,
        "Verb code uses randomness or mints a new id",
        "Every replica would draw a different number or id; derive ids from the op with VerbContext.NewId.");

    public static readonly DiagnosticDescriptor Concurrency = Reachable(DiagnosticIds.Concurrency,
        "Verb code is asynchronous or uses tasks or threads",
        "A verb is a synchronous function of the op and the state; interleavings differ between replicas.");

    public static readonly DiagnosticDescriptor InputOutput = Reachable(DiagnosticIds.InputOutput,
        "Verb code does I/O, network, console, process or database access",
        "Files, sockets, consoles, processes and databases differ between devices; everything a verb needs must be in the op's args.");

    public static readonly DiagnosticDescriptor Environment = Reachable(DiagnosticIds.Environment,
        "Verb code reads the environment, the current culture or the local time zone",
        "Machine name, variables, runtime switches, culture and time zone differ between devices.");

    public static readonly DiagnosticDescriptor UnorderedEnumeration = Reachable(DiagnosticIds.UnorderedEnumeration,
        "Verb code enumerates an unordered collection",
        "Hash-based collections enumerate in an order that depends on hash codes and history; order them with an ordinal comparer or use a sorted type.");

    public static readonly DiagnosticDescriptor HashCode = Reachable(DiagnosticIds.HashCode,
        "Verb code uses a hash code value",
        "String hash codes are randomized per process and others are unspecified; a hash code value must never reach state or decisions.");

    public static readonly DiagnosticDescriptor FloatingPoint = Reachable(DiagnosticIds.FloatingPoint,
        "Verb code keeps floating point in state or calls transcendental math",
        "Transcendental functions differ between platforms and runtimes in the last bits; use integers (cents, basis points) or decimal.");

    public static readonly DiagnosticDescriptor CultureSensitive = Reachable(DiagnosticIds.CultureSensitive,
        "Verb code formats, parses or compares with a culture",
        "Culture data (signs, separators, collation) differs between devices and ICU versions; use the ordinal or invariant overload.");

    public static readonly DiagnosticDescriptor StaticMutableState = Reachable(DiagnosticIds.StaticMutableState,
        "Verb code reads or writes static mutable state",
        "Static state survives between ops and differs between replicas that folded different histories in one process.");

    public static readonly DiagnosticDescriptor Reflection = Reachable(DiagnosticIds.Reflection,
        "Verb code depends on reflection order, dynamic binding or Activator",
        "Reflection order is unspecified and late binding depends on what is loaded; call members directly.");

    public static readonly DiagnosticDescriptor SealedData = Reachable(DiagnosticIds.SealedData,
        "Verb code opens sealed personal data or reaches subject keys",
        "Keys differ between replicas and an erasure destroys them; a fold that read one would replay differently after a shred. Carry Sealed<T> values opaque; open them in read models.");

    public static readonly DiagnosticDescriptor VerbInstanceState = Reachable(DiagnosticIds.VerbInstanceState,
        "A verb keeps state on its instance or is constructed with a dependency",
        "A manifest holds one verb instance for every op: a field it changes is state shared between ops, and a dependency handed to its constructor (a clock, a service) is code the lint cannot see. A verb is constructed only with constants (numbers, strings, enums, table handles) and keeps nothing between ops.");

    public static readonly DiagnosticDescriptor PersonalDataInClear = new(DiagnosticIds.PersonalDataInClear,
        "Personal data must be a sealed field",
        "'{0}' is marked [PersonalData] but its type is '{1}'; make it Ledger.Erasure.Sealed<{1}> so that an erasure can destroy it",
        PrivacyCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The log is immutable: plaintext that reaches an op or a row can never be erased. Only a value sealed under its subject's key can, by destroying the key.");

    public static readonly DiagnosticDescriptor WaiverWithoutReason = new(DiagnosticIds.WaiverWithoutReason,
        "A determinism waiver needs a reason",
        "[DeterminismWaiver] on '{0}' has no reason; say why this code cannot split books",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A waiver is a reviewed decision; its reason is what the reviewer approved.");

    public static readonly DiagnosticDescriptor SuppressedInSource = new(DiagnosticIds.SuppressedInSource,
        "Determinism rules are waived with [DeterminismWaiver], not suppressed",
        "{0} silences {1}; put [DeterminismWaiver(\"reason\")] on the member or type instead",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A pragma or SuppressMessage hides a determinism error without a reviewable reason.",
        customTags: [WellKnownDiagnosticTags.NotConfigurable]);

    public static readonly DiagnosticDescriptor SuppressedByConfiguration = new(DiagnosticIds.SuppressedByConfiguration,
        "Determinism rules cannot be turned off by configuration",
        "{0} sets {1} to '{2}'; determinism rules stay errors, waive a member with [DeterminismWaiver(\"reason\")] instead",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "NoWarn, .editorconfig or .globalconfig severities would switch the lint off for a whole project.",
        customTags: [WellKnownDiagnosticTags.CompilationEnd, WellKnownDiagnosticTags.NotConfigurable]);

    /// <summary>The rules reported for code reachable from a verb, in both of their forms.</summary>
    public static readonly DiagnosticDescriptor[] ReachableRules =
    [
        WallClock, Randomness, Concurrency, InputOutput, Environment, UnorderedEnumeration, HashCode,
        FloatingPoint, CultureSensitive, StaticMutableState, Reflection, SealedData, VerbInstanceState,
        .. AtEnd.Values,
    ];

    /// <summary>The twin of <paramref name="rule"/> that is reported from the compilation-end action.</summary>
    public static DiagnosticDescriptor AtCompilationEnd(DiagnosticDescriptor rule) => AtEnd.TryGetValue(rule, out var twin) ? twin : rule;

    private static DiagnosticDescriptor Reachable(string id, string title, string description)
    {
        var local = new DiagnosticDescriptor(id, title, ReachableMessage, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: description);
        AtEnd[local] = new DiagnosticDescriptor(id, title, ReachableMessage, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: description, customTags: CompilationEnd);
        return local;
    }
}
