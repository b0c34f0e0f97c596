namespace Ledger.Sync;

/// <summary>Configuration of a <see cref="Relay"/>.</summary>
public sealed class RelayOptions
{
    /// <summary>The ledger the relay orders. Required.</summary>
    public string Ledger { get; set; } = "";

    /// <summary>The most ops one batch may carry. Default 4,096.</summary>
    public int MaxBatch { get; set; } = 4096;

    /// <summary>The most ops one read returns. Default 4,096.</summary>
    public int MaxRead { get; set; } = 4096;

    /// <summary>The relay's log identity for checkpoints, e.g. <c>relay.example/sitebooks</c>. Default: <c>ledger-relay/&lt;ledger&gt;</c>.</summary>
    public string? Origin { get; set; }

    /// <summary>The key that signs checkpoints (C2SP signed notes). Without one the relay serves no checkpoints.</summary>
    public Ledger.Signing.SigningKey? CheckpointKey { get; set; }

    /// <summary>Threads for verifying a batch's signatures; null for all cores.</summary>
    public int? VerifyThreads { get; set; }

    /// <summary>The most cosigned checkpoints the relay serves (the newest) and keeps: as witnesses post more, the store
    /// is trimmed to these every 64 notes (<see cref="IRelayStore.TrimCosignaturesAsync"/>). Instances over one database
    /// share one value. Default 1,024.</summary>
    public int MaxCosignatures { get; set; } = 1024;

    /// <summary>Where the relay's meter comes from (a host's factory; <c>AddLedgerSync</c> sets it). Null: the relay
    /// owns a meter of its own.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; set; }
}
