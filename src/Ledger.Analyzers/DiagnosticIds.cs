namespace Ledger.Analyzers;

/// <summary>The frozen diagnostic ids of the determinism lint (see AnalyzerReleases.Shipped.md).
/// An id is never reused for another meaning.</summary>
public static class DiagnosticIds
{
    /// <summary>Wall clock and timers.</summary>
    public const string WallClock = "LDG0001";

    /// <summary>Randomness and new ids.</summary>
    public const string Randomness = "LDG0002";

    /// <summary>Async, tasks and threads.</summary>
    public const string Concurrency = "LDG0003";

    /// <summary>I/O, network, console, processes, database.</summary>
    public const string InputOutput = "LDG0004";

    /// <summary>Environment, AppContext, current culture and time zone.</summary>
    public const string Environment = "LDG0005";

    /// <summary>Enumeration of unordered collections.</summary>
    public const string UnorderedEnumeration = "LDG0006";

    /// <summary>Hash code values.</summary>
    public const string HashCode = "LDG0007";

    /// <summary>Floating point in state, transcendental math.</summary>
    public const string FloatingPoint = "LDG0008";

    /// <summary>Culture-sensitive formatting, parsing and comparison.</summary>
    public const string CultureSensitive = "LDG0009";

    /// <summary>Static mutable state.</summary>
    public const string StaticMutableState = "LDG0010";

    /// <summary>Reflection member order, dynamic, Activator.</summary>
    public const string Reflection = "LDG0011";

    /// <summary>A waiver without a reason.</summary>
    public const string WaiverWithoutReason = "LDG0012";

    /// <summary>A pragma or SuppressMessage that silences a determinism rule.</summary>
    public const string SuppressedInSource = "LDG0013";

    /// <summary>Build configuration (NoWarn, .editorconfig) that silences a determinism rule.</summary>
    public const string SuppressedByConfiguration = "LDG0014";

    /// <summary>Opening sealed personal data, or reaching subject keys, from verb code.</summary>
    public const string SealedData = "LDG0015";

    /// <summary>A <c>[PersonalData]</c> member whose type is not a sealed field.</summary>
    public const string PersonalDataInClear = "LDG0016";

    /// <summary>State kept on a verb instance, and dependencies a verb is constructed with.</summary>
    public const string VerbInstanceState = "LDG0017";

    /// <summary>Every id of the lint, in order.</summary>
    public static readonly string[] All =
    [
        WallClock, Randomness, Concurrency, InputOutput, Environment, UnorderedEnumeration, HashCode,
        FloatingPoint, CultureSensitive, StaticMutableState, Reflection, WaiverWithoutReason,
        SuppressedInSource, SuppressedByConfiguration, SealedData, PersonalDataInClear, VerbInstanceState,
    ];
}
