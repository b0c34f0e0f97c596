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

    /// <summary>Keep provenance in the node's kernel ("tap a figure"). Default true.</summary>
    public bool TrackProvenance { get; set; } = true;
}
