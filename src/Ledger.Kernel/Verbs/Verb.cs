namespace Ledger.Kernel;

/// <summary>A verb version: a deterministic function from (op, state visible to its scope) to effects.</summary>
/// <remarks>Derive from <see cref="Verb{TArgs}"/>. A verb reads and writes only through the
/// <see cref="VerbContext"/>; it never reads clocks, randomness, environment, culture, network or
/// unordered collections (the Ledger analyzer enforces this at build time).</remarks>
public abstract class Verb
{
    private protected Verb(string name, uint version, Scope scope)
    {
        if (!Op.IsValidVerbName(name)) throw Error.Argument(nameof(name), $"a verb name is 1-{Op.MaxVerbLength} characters of [a-z0-9._-]; got '{Error.Printable(name)}'.");
        if (version == 0) throw Error.Argument(nameof(version), "verb versions start at 1.");
        if (scope is not (Scope.Branch or Scope.Shared or Scope.Claim)) throw Error.Argument(nameof(scope), "unknown scope.");
        Key = new VerbKey(name, version);
        Scope = scope;
    }

    // A copy taken when the verb first joined a manifest, before any op ran: the determinism sentinel runs each op
    // a second time on a fresh copy of it, so state the verb keeps on its instance shows as a difference.
    private Verb? _pristine;

    internal void KeepPristineCopy() => _pristine ??= (Verb)MemberwiseClone();

    internal Verb FreshCopy() => (Verb)(_pristine ?? this).MemberwiseClone();

    /// <summary>(name, version).</summary>
    public VerbKey Key { get; }

    /// <summary>The verb name.</summary>
    public string Name => Key.Name;

    /// <summary>The verb version.</summary>
    public uint Version => Key.Version;

    /// <summary>The declared scope, enforced at run time.</summary>
    public Scope Scope { get; }

    /// <summary>A description of the args encoding, part of the manifest hash.</summary>
    public abstract string ArgsSchema { get; }

    /// <summary>Decodes the args and runs the verb. Throws <see cref="ArgsDecodeException"/> for args that do not decode.</summary>
    internal abstract void Invoke(VerbContext context, ReadOnlyMemory<byte> args);

    /// <inheritdoc />
    public override string ToString() => $"{Key} ({Scope})";
}

/// <summary>A verb version whose arguments are a MessagePack-serializable <typeparamref name="TArgs"/>.</summary>
/// <typeparam name="TArgs">The argument type.</typeparam>
public abstract class Verb<TArgs> : Verb
{
    /// <summary>Declares the verb version and its scope.</summary>
    // RS0022: by design. Apps derive their verbs from Verb<TArgs>; the untyped base stays closed to them.
#pragma warning disable RS0022
    protected Verb(string name, uint version, Scope scope) : base(name, version, scope)
#pragma warning restore RS0022
    {
    }

    /// <inheritdoc />
    public override string ArgsSchema => Table.SchemaOf<TArgs>();

    /// <summary>The verb's logic: read and write through <paramref name="context"/>, refuse with
    /// <see cref="VerbContext.Refuse"/>.</summary>
    protected abstract void Execute(VerbContext context, TArgs args);

    /// <summary>Encodes args for an op of this verb.</summary>
    public virtual byte[] EncodeArgs(TArgs args) => Values.Encode(args);

    /// <summary>Decodes untrusted args bytes.</summary>
    public virtual TArgs DecodeArgs(ReadOnlyMemory<byte> args) =>
        MessagePack.MessagePackSerializer.Deserialize<TArgs>(args, Values.Untrusted);

    internal override void Invoke(VerbContext context, ReadOnlyMemory<byte> args)
    {
        TArgs decoded;
        try
        {
            decoded = DecodeArgs(args);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Error.ArgsDecode(e);
        }

        if (decoded is null)
        {
            throw Error.ArgsDecode(null);
        }

        Execute(context, decoded);
    }
}

/// <summary>The args of an op did not decode into the verb's argument type.</summary>
public sealed class ArgsDecodeException : LedgerException
{
    internal ArgsDecodeException(Exception? inner) : base("the op's args do not decode into the verb's argument type.", inner)
    {
    }
}
