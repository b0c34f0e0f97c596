namespace Ledger.Sync;

/// <summary>What a node that opened from its checkpoint says when its relay lost own ops the ladder compacted (risk B2):
/// it cannot push them again from a compacted prefix, and says how to.</summary>
internal static class OwnLadderExpansion
{
    public static SyncException Needed(ulong fromSeq, ulong compactedThrough) => Error.Sync(
        $"the relay no longer holds this node's own ops from seq {fromSeq}, and ops {fromSeq} to {compactedThrough} are compacted: this node opened from its checkpoint, which holds them as an acknowledged prefix. " +
        "Reopen the node without its checkpoint store (NodeOptions.Checkpoints = null, a full replay) and sync again to push them back.");
}
