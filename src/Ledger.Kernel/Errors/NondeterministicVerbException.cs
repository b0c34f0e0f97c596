namespace Ledger.Kernel;

/// <summary>The determinism sentinel (<see cref="KernelOptions.CheckDeterminism"/>) ran an op's verb twice, the
/// second time on a fresh instance, and the two runs wrote different effects (or one refused): the verb reads
/// something besides its op and the state its scope may see. The kernel is faulted; nothing of the op is applied.</summary>
public sealed class NondeterministicVerbException : LedgerException
{
    internal NondeterministicVerbException(VerbKey verb, OpRef op, string first, string second)
        : base($"verb {verb} is not deterministic: op {op}, first effects {first}, second {second}. The kernel is faulted; fix the verb (it reads something besides its op and the state it may see: a clock, randomness, its own instance or static fields, an injected service, a library call).")
    {
        Verb = verb;
        Op = op;
        FirstEffects = first;
        SecondEffects = second;
    }

    /// <summary>The verb version that is not deterministic.</summary>
    public VerbKey Verb { get; }

    /// <summary>The op whose two runs differed.</summary>
    public OpRef Op { get; }

    /// <summary>What the first run wrote (or its refusal), as text.</summary>
    public string FirstEffects { get; }

    /// <summary>What the second run, on a fresh verb instance, wrote (or its refusal), as text.</summary>
    public string SecondEffects { get; }
}
