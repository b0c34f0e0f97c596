using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;

namespace Ledger.Testing;

/// <summary>One verb version of the app under test, with a generator of its arguments and a weight.</summary>
public sealed class VerbCase
{
    private VerbCase(Verb verb, Gen<byte[]> args, int weight)
    {
        Verb = verb;
        Args = args;
        Weight = weight;
    }

    /// <summary>The verb version.</summary>
    public Verb Verb { get; }

    /// <summary>Encoded argument generator.</summary>
    public Gen<byte[]> Args { get; }

    /// <summary>Relative frequency in generated logs.</summary>
    public int Weight { get; }

    /// <summary>A verb with a generator of its typed arguments.</summary>
    public static VerbCase Of<TArgs>(Verb<TArgs> verb, Gen<TArgs> args, int weight = 1)
    {
        ArgumentNullException.ThrowIfNull(verb);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weight);
        return new VerbCase(verb, args.Select(verb.EncodeArgs), weight);
    }

    /// <summary>A verb whose arguments are generated from the MessagePack shape of <typeparamref name="TArgs"/>
    /// (<see cref="LedgerGen.ArgsFor{T}"/>): no generator to write.</summary>
    public static VerbCase Of<TArgs>(Verb<TArgs> verb, int weight = 1) => Of(verb, LedgerGen.ArgsFor<TArgs>(), weight);

    /// <summary>A verb with a generator of raw argument bytes (to include undecodable args).</summary>
    public static VerbCase OfRaw(Verb verb, Gen<byte[]> args, int weight = 1)
    {
        ArgumentNullException.ThrowIfNull(verb);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weight);
        return new VerbCase(verb, args, weight);
    }
}
