using System.Globalization;
using Ledger.Signing;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>What <c>DeviceNode.AppendAsync</c> returns once the op is signed, persisted and folded.</summary>
/// <param name="Signed">The signed op.</param>
/// <param name="Fold">The local fold outcome (Claim ops: pending until the relay order is known).</param>
/// <param name="Done">For a critical op: completes when the relay acknowledged it at position p and this node folded the relay prefix up to p. Otherwise already complete.</param>
public sealed record AppendReceipt(SignedOp Signed, ApplyResult Fold, Task Done)
{
    /// <summary>The op.</summary>
    public OpRef Op => Signed.Ref;
}
