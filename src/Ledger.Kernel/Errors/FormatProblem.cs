namespace Ledger.Kernel;

/// <summary>What is wrong with bytes that failed to decode.</summary>
public enum FormatProblem
{
    /// <summary>The bytes end before the structure does.</summary>
    Truncated,

    /// <summary>A field is longer than its limit.</summary>
    Oversized,

    /// <summary>A field has another MessagePack type than the format requires.</summary>
    WrongType,

    /// <summary>The value decodes but is not the one canonical encoding of itself.</summary>
    NonCanonical,

    /// <summary>The field has the right type but a value the format forbids.</summary>
    InvalidValue,

    /// <summary>Bytes follow the end of the structure.</summary>
    TrailingBytes,

    /// <summary>A version or label this software does not know.</summary>
    UnknownVersion,
}
