using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>An op a node folded or refused, with its result: what <see cref="NodeOptions.Folded"/> receives.</summary>
/// <param name="Op">The op.</param>
/// <param name="Result">What the kernel did with it.</param>
public readonly record struct FoldedOp(Op Op, ApplyResult Result);
