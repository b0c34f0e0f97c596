namespace Ledger.Erasure;

/// <summary>The result of opening a sealed field in a read model: the value, or why there is none. Erasure is an
/// ordinary outcome (<see cref="IsErased"/>), not an exception.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public readonly struct Unsealed<T>
{
    private readonly T _value;

    internal Unsealed(UnsealStatus status, SubjectId subject, T value, SealedFieldException? error)
    {
        Status = status;
        Subject = subject;
        _value = value;
        Error = error;
    }

    /// <summary>What happened.</summary>
    public UnsealStatus Status { get; }

    /// <summary>Whose data the field holds (default when the envelope did not say).</summary>
    public SubjectId Subject { get; }

    /// <summary>True when the value is available.</summary>
    public bool IsOpen => Status == UnsealStatus.Open;

    /// <summary>True when the subject is erased.</summary>
    public bool IsErased => Status == UnsealStatus.Erased;

    /// <summary>For <see cref="UnsealStatus.Invalid"/>: the typed error naming op and field.</summary>
    public SealedFieldException? Error { get; }

    /// <summary>The value.</summary>
    /// <exception cref="InvalidOperationException">The field is not open (check <see cref="IsOpen"/> first).</exception>
    public T Value => IsOpen ? _value : throw Ledger.Erasure.Error.InvalidOperation($"the sealed field is not open ({Status}).");

    /// <summary>The value, or <paramref name="fallback"/> when it is not open (erased, key missing, invalid).</summary>
    public T ValueOr(T fallback) => IsOpen ? _value : fallback;

    /// <summary>The value; for an invalid field throws its <see cref="SealedFieldException"/>.</summary>
    /// <exception cref="SealedFieldException">The field is damaged or misplaced.</exception>
    /// <exception cref="InvalidOperationException">The subject is erased or its key is not held here.</exception>
    public T ValueOrThrow() => Status switch
    {
        UnsealStatus.Open => _value,
        UnsealStatus.Invalid => throw Error!,
        _ => throw Ledger.Erasure.Error.InvalidOperation($"the sealed field is not open ({Status})."),
    };

    /// <summary>Never the value: the status and the subject.</summary>
    public override string ToString() => $"{Status} ({Subject})";
}
