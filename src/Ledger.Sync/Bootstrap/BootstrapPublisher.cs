using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>Takes a bootstrap checkpoint of a node whose state is exactly a relay prefix (docs/sync.md, "Bootstrap of a
/// new device"): every own op is in the prefix it folded, and the kernel accepted exactly that prefix's ops. A node
/// holding local work (an op not acknowledged, or refused) folds something no new device would: it publishes nothing.</summary>
internal static class BootstrapPublisher
{
    public static BootstrapCheckpoint Create(NodeOptions options, NodeLocks locks, LocalReplica replica, RelayWitness witness, AppendPipeline pipeline)
    {
        if (options.TrustedRelay is null) throw Error.InvalidOperation("publishing a bootstrap checkpoint needs NodeOptions.TrustedRelay: the prefix's root is the witness's.");
        Checkpoint checkpoint;
        Ledger.Signing.SigningKey key;
        long prefix;
        string origin;
        Hash32 root;
        lock (locks.Fold)
        {
            prefix = replica.FoldedCursor;
            origin = replica.RelayOrigin ?? throw Error.InvalidOperation("the node has not synced with a relay yet: there is no prefix to publish.");
            foreach (var op in replica.Own.Values)
            {
                if (op.Position is not { } position || position >= prefix)
                {
                    throw Error.InvalidOperation($"own op {op.Ref} ({op.Rung}) is not in the relay prefix of {prefix} ops this node folded: sync first.");
                }
            }

            if (replica.Kernel.AcceptedOps != prefix || replica.Kernel.RelayFrontier != prefix)
            {
                throw Error.InvalidOperation($"the node folded {replica.Kernel.AcceptedOps} ops with relay frontier {replica.Kernel.RelayFrontier}, not exactly the relay prefix of {prefix}: sync first.");
            }

            root = witness.TreeRoot(prefix) ?? throw Error.InvalidOperation($"the node's witness holds fewer than the {prefix} leaves of the prefix.");
            checkpoint = replica.Kernel.CreateCheckpoint(new CheckpointExtras { RelayCut = new RelayCut(origin, prefix, root) });
            key = pipeline.Key(replica.OwnChain.Keys!.Current.Id);
        }

        var bytes = CheckpointCodec.Encode(checkpoint);
        return BootstrapCheckpoint.Sign(options.Ledger, replica.OwnChain.Author, origin, prefix, root, checkpoint.Digest, bytes, key);
    }
}
