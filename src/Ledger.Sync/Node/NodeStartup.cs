namespace Ledger.Sync;

/// <summary>How a node came up: the path, how many ops it verified and folded to get there, and how long opening
/// took — so a slow cold start is seen, not guessed (the monitor's "bootstrap path" widget).</summary>
public sealed record NodeStartup(NodeStartPath Path, int OpsFolded, TimeSpan Took)
{
    /// <summary>The ops covered by the checkpoint the node opened from (risk B2; only the ops after them were folded),
    /// or 0 when it replayed its log.</summary>
    public long CheckpointOps { get; init; }

    /// <summary>The store records the node read to open: all of them on a replay; from a checkpoint with an open state
    /// (risk B2), only the records stored after it, the own ops its ladder had not compacted, and none else.</summary>
    public long RecordsRead { get; init; }

    /// <summary>Why the latest checkpoint was refused, so that the node replayed its log instead; null when none was.</summary>
    public string? CheckpointRefused { get; init; }

    /// <summary>For <see cref="NodeStartPath.Bootstrapped"/>: the relay prefix the node started from (it pulls only the
    /// ops after it); 0 otherwise.</summary>
    public long BootstrapPrefix { get; init; }

    /// <summary>For <see cref="NodeStartPath.Bootstrapped"/>: the distinct members whose checkpoints of that state verified.</summary>
    public int BootstrapSigners { get; init; }

    /// <summary>Why the relay's bootstrap checkpoint was refused, so that the node started from genesis instead (its
    /// first sync replays the relay's whole log); null when none was.</summary>
    public BootstrapRefusal? BootstrapRefusal { get; init; }

    /// <summary>What exactly was refused, for people; null when nothing was.</summary>
    public string? BootstrapRefused { get; init; }

    /// <summary>Where the store's whole-file integrity check stood when the node had opened (<see cref="IStoreIntegrity"/>):
    /// usually Pending for a node opened from its checkpoint (the open does not wait for it; <see cref="DeviceNode.Health"/>
    /// says how it ended), Passed after a replay (which reads the whole log only once it passed).</summary>
    public StoreCheckStatus StoreCheck { get; init; }
}
