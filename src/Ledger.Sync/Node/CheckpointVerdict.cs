using System.Collections.Concurrent;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The outcome of offering a checkpoint to a node.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Reason">Why, for people.</param>
/// <param name="Checkpoint">The checkpoint, when advanced.</param>
/// <param name="Proof">The evidence, when the checkpoint proved equivocation.</param>
public sealed record CheckpointVerdict(CheckpointStatus Status, string Reason, RelayCheckpoint? Checkpoint = null, Evidence? Proof = null)
{
    internal static CheckpointVerdict Advanced(RelayCheckpoint checkpoint) => new(CheckpointStatus.Advanced, "ok", checkpoint);

    internal static CheckpointVerdict Refused(string reason) => new(CheckpointStatus.Refused, reason);

    internal static CheckpointVerdict Evidence(Evidence proof) => new(CheckpointStatus.Evidence, "split view", Proof: proof);
}
