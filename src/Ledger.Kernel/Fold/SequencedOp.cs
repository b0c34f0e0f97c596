namespace Ledger.Kernel;

/// <summary>An op with its relay position, when known. Claim ops fold only once their position is known
/// and the relay prefix before it is held.</summary>
/// <param name="Op">The op.</param>
/// <param name="Position">The relay's leaf index, or null when the relay has not ordered it (yet).</param>
public readonly record struct SequencedOp(Op Op, long? Position = null);
