namespace Ledger.Sync;

/// <summary>A store that checks its whole file in the background after it opened, instead of before (risk B2: a node
/// opening from its checkpoint reads only the tail, and a check of the whole file would cost it the whole log again).
/// Until the check passed, the store serves only reads whose caller verifies what it reads (a node's open: the records
/// after its signed checkpoint, its tips, key events and ladder mark); whole-log reads and writes wait for the check and
/// fail with <see cref="StoreDamagedException"/> when it found damage; a node awaits it before it hands anything to
/// others (sync, export, bootstrap checkpoints and packages). docs/reliability.md, "Store damage and rollback".</summary>
public interface IStoreIntegrity
{
    /// <summary>Where the check stands now.</summary>
    StoreCheckStatus IntegrityStatus { get; }

    /// <summary>Completes when the check passed; waits while it runs.</summary>
    /// <exception cref="StoreDamagedException">The check found damage: the store must not be served from.</exception>
    Task EnsureIntactAsync(CancellationToken cancellationToken = default);
}
