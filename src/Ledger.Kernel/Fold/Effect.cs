namespace Ledger.Kernel;

internal enum EffectKind : byte
{
    Put,
    Remove,
    CounterAdd,
    Offer,
    SetAdd,
    LwwPut,
}

/// <summary>One buffered write. Effects are applied together, and only if the verb succeeds.</summary>
internal struct Effect
{
    public EffectKind Kind;
    public Table Table;
    public string Branch;
    public string Key;
    public byte[]? Value;
    public long Number;
    public string? Element;
}
