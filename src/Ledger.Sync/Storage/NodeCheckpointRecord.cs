namespace Ledger.Sync;

/// <summary>A checkpoint a node wrote of its state: the kernel checkpoint's bytes (<c>CheckpointCodec</c>), the number
/// of ops the kernel had accepted, and the node's signature over the ledger, author, op count and checkpoint digest.</summary>
/// <param name="Ops">Ops accepted into the kernel when it was taken.</param>
/// <param name="Checkpoint">The canonical checkpoint bytes.</param>
/// <param name="Signature">Ed25519 by the node's key over <c>"ledger/node-checkpoint/v1" ‖ ledger ‖ author ‖ ops ‖ digest</c>.</param>
/// <remarks>With <see cref="Extras"/> (risk B2: what lets the node open reading only the records stored after it), the
/// signature is over <c>"ledger/node-checkpoint/v2" ‖ ledger ‖ author ‖ ops ‖ digest ‖ SHA-256(extras)</c> (docs/sync.md).</remarks>
public sealed record NodeCheckpointRecord(long Ops, ReadOnlyMemory<byte> Checkpoint, ReadOnlyMemory<byte> Signature)
{
    /// <summary>The node's open state (canonical MessagePack, docs/sync.md "Node checkpoints"); empty for a checkpoint
    /// that carries none (the node then reads its whole log when it opens from it).</summary>
    public ReadOnlyMemory<byte> Extras { get; init; }
}
