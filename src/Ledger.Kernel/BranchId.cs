namespace Ledger.Kernel;

/// <summary>A branch: a partition of state with exactly one writer, its <see cref="Owner"/>.</summary>
/// <remarks>Written <c>owner/name</c>. Because the owner is part of the id, whether an op may write
/// a branch is decided from the op alone: a Branch-scoped op whose author is not the owner is
/// refused.</remarks>
public readonly struct BranchId : IEquatable<BranchId>, IComparable<BranchId>
{
    /// <summary>The longest branch name (the part after '/'), in characters.</summary>
    public const int MaxNameLength = 64;

    private readonly string? _text;

    /// <summary>Creates the branch <paramref name="name"/> owned by <paramref name="owner"/>.</summary>
    public BranchId(AuthorId owner, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (owner.IsDefault)
        {
            throw Error.Argument(nameof(owner), "a branch needs an owner.");
        }

        if (!Identifier.IsValid(name, MaxNameLength))
        {
            throw Error.Argument(nameof(name), $"a branch name is 1-{MaxNameLength} characters of [A-Za-z0-9._-]; got '{Error.Printable(name)}'.");
        }

        Owner = owner;
        Name = name;
        _text = owner.Value + "/" + name;
    }

    /// <summary>The only author who may write this branch.</summary>
    public AuthorId Owner { get; }

    /// <summary>The branch name, unique per owner.</summary>
    public string Name { get; }

    /// <summary>True for <c>default(BranchId)</c>.</summary>
    public bool IsDefault => _text is null;

    /// <summary>Parses <c>owner/name</c>.</summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static BranchId Parse(string text)
    {
        if (!TryParse(text, out var id))
        {
            throw Error.Format(nameof(text), $"a branch id is 'owner/name'; got '{Error.Printable(text)}'.");
        }

        return id;
    }

    /// <summary>Parses <c>owner/name</c>; false when the text is not of that form.</summary>
    public static bool TryParse(string? text, out BranchId id)
    {
        id = default;
        if (text is null)
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
        {
            return false;
        }

        var owner = text[..slash];
        var name = text[(slash + 1)..];
        if (!Identifier.IsValid(owner, AuthorId.MaxLength) || !Identifier.IsValid(name, MaxNameLength))
        {
            return false;
        }

        id = new BranchId(new AuthorId(owner), name);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(BranchId other) => string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BranchId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _text is null ? 0 : StringComparer.Ordinal.GetHashCode(_text);

    /// <inheritdoc />
    public int CompareTo(BranchId other) => string.CompareOrdinal(_text, other._text);

    /// <summary><c>owner/name</c>.</summary>
    public override string ToString() => _text ?? "";

    /// <summary>Equality.</summary>
    public static bool operator ==(BranchId left, BranchId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(BranchId left, BranchId right) => !left.Equals(right);
}
