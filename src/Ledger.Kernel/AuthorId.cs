namespace Ledger.Kernel;

/// <summary>The stable identity of an author. An author is one device: it owns one hash chain.</summary>
/// <remarks>1 to 64 characters from <c>[A-Za-z0-9._-]</c>, compared ordinally. The text never
/// contains '/', which separates the owner from the name in a <see cref="BranchId"/>.</remarks>
public readonly struct AuthorId : IEquatable<AuthorId>, IComparable<AuthorId>
{
    /// <summary>The longest author id, in characters.</summary>
    public const int MaxLength = 64;

    private readonly string? _value;

    /// <summary>Creates an author id, validating its characters.</summary>
    /// <exception cref="ArgumentException">The text is empty, too long or has a character outside <c>[A-Za-z0-9._-]</c>.</exception>
    public AuthorId(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!Identifier.IsValid(value, MaxLength))
        {
            throw Error.Argument(nameof(value), $"an author id is 1-{MaxLength} characters of [A-Za-z0-9._-]; got '{Error.Printable(value)}'.");
        }

        _value = value;
    }

    /// <summary>The id as text.</summary>
    public string Value => _value ?? throw Error.InvalidOperation("this AuthorId is the default value and names no author.");

    /// <summary>True for <c>default(AuthorId)</c>, which names no author.</summary>
    public bool IsDefault => _value is null;

    /// <summary>Returns true and the id when <paramref name="value"/> is a valid author id.</summary>
    public static bool TryCreate(string? value, out AuthorId id)
    {
        if (value is not null && Identifier.IsValid(value, MaxLength))
        {
            id = new AuthorId(value);
            return true;
        }

        id = default;
        return false;
    }

    /// <inheritdoc />
    public bool Equals(AuthorId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AuthorId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <inheritdoc />
    public int CompareTo(AuthorId other) => string.CompareOrdinal(_value, other._value);

    /// <inheritdoc />
    public override string ToString() => _value ?? "";

    /// <summary>Equality.</summary>
    public static bool operator ==(AuthorId left, AuthorId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(AuthorId left, AuthorId right) => !left.Equals(right);

    /// <summary>Converts text to an author id, validating it.</summary>
    public static implicit operator AuthorId(string value) => new(value);
}
