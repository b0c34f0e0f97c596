using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>Configuration of a <see cref="DeviceNode"/>.</summary>
public sealed class NodeOptions
{
    /// <summary>The ledger. Required.</summary>
    public string Ledger { get; set; } = "";

    /// <summary>The manifests this node folds (the key-event manifest is added automatically).</summary>
    public IManifestResolver? Manifests { get; set; }

    /// <summary>The clock for edge times and ages (never read inside the fold).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Mints op ids from the edge time; default UUIDv7.</summary>
    public Func<DateTimeOffset, Guid>? OpIds { get; set; }

    /// <summary>Own ops per push. Default 256.</summary>
    public int PushBatch { get; set; } = 256;

    /// <summary>Ops per pull. Default 1,024.</summary>
    public int PullBatch { get; set; } = 1024;

    /// <summary>Most appends committed in one transaction (group commit). Default 512.</summary>
    public int MaxGroupCommit { get; set; } = 512;

    /// <summary>The relay's checkpoint verifier key. When set, the node accepts only ops whose order the relay
    /// signed (every pull is checked against a checkpoint), witnesses and cosigns checkpoints, and turns a
    /// contradicting view into evidence.</summary>
    public Ledger.Sync.NoteKey? TrustedRelay { get; set; }

    /// <summary>Keep provenance in the node's kernel ("tap a figure"). Default true. Under a <see cref="StateMemoryBudget"/>
    /// it is charged to the budget and goes to the <see cref="SegmentStore"/> with its segments.</summary>
    public bool TrackProvenance { get; set; } = true;

    /// <summary>The state memory budget of the node's kernel in bytes (risk B1; see <see cref="KernelOptions.StateMemoryBudget"/>):
    /// cold segments go to <see cref="SegmentStore"/> and come back, verified, when touched. Null: no budget.</summary>
    public long? StateMemoryBudget { get; set; }

    /// <summary>Where the kernel's evicted segments go (with <see cref="StateMemoryBudget"/>): a <c>SqliteSegmentStore</c>
    /// beside the node's store file, for a budget that bounds memory. Null: in memory (bounds nothing). One per node.</summary>
    public ISegmentStore? SegmentStore { get; set; }

    /// <summary>Where the node keeps checkpoints of its state (risk B2): it writes one every <see cref="CheckpointEvery"/>
    /// accepted ops and opens from the latest plus the tail. Null (the default): no checkpoints; open replays the log.
    /// A <c>SqliteNodeCheckpointStore</c> beside the node's store file, or an <see cref="InMemoryNodeCheckpointStore"/>.</summary>
    public INodeCheckpointStore? Checkpoints { get; set; }

    /// <summary>Accepted ops between two checkpoints (with <see cref="Checkpoints"/>). Default 10,000. Each checkpoint
    /// costs a pass over the state under the fold lock.</summary>
    public int CheckpointEvery { get; set; } = 10_000;

    /// <summary>Post-commit handler: called with the final results (folded or refused) of ops this node just took (its own appends,
    /// pulled ops, claims released by the relay frontier, and everything folded when the node opens), in fold
    /// order. Ledger.Erasure's <c>ErasureReplica.OnApplied</c> plugs in here so a folded erase op shreds the key.</summary>
    /// <remarks>Runs under the node's fold lock: keep it short and never call back into the node. An exception
    /// it throws is not the fold's business: it is caught and kept in <see cref="DeviceNode.HandlerFaults"/>.</remarks>
    public Action<IReadOnlyList<FoldedOp>>? Folded { get; set; }

    /// <summary>Write an export when own work no relay acknowledged is at risk (null: never).</summary>
    public AtRiskExportPolicy? AtRiskExport { get; set; }

    /// <summary>When the node's own state becomes a finding of <see cref="DeviceNode.Health"/>.</summary>
    public HealthThresholds Health { get; set; } = new();

    /// <summary>Creates the node's meter (<c>Ledger.Sync.Node</c>); from DI, the host's. Null: the node creates and
    /// disposes its own.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; set; }
}
