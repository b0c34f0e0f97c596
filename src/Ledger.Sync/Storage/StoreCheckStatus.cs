namespace Ledger.Sync;

/// <summary>Where a store's whole-file integrity check stands (<see cref="IStoreIntegrity"/>; docs/reliability.md,
/// "Store damage and rollback").</summary>
public enum StoreCheckStatus
{
    /// <summary>The store runs no check after it opened: it checked at open, or it keeps nothing a check could find damaged.</summary>
    None = 0,

    /// <summary>The check runs in the background; what the store serves meanwhile is only what its reader verifies.</summary>
    Pending = 1,

    /// <summary>The check found the file well formed.</summary>
    Passed = 2,

    /// <summary>The check found damage (or could not read the file): the store refuses every whole-log read and every
    /// write with a <see cref="StoreDamagedException"/>.</summary>
    Failed = 3,
}
