namespace Ledger.Sync;

/// <summary>Where a node waits for its store's background integrity check (<see cref="IStoreIntegrity"/>): before it hands
/// anything to others — a sync round (its pushes carry stored bytes), an export, a bootstrap checkpoint or package. Its
/// open does not wait: every record the open reads is verified by the node (chain hashes, the tips' signatures, the
/// signed open state), and the store itself makes its whole-log reads and its writes wait.</summary>
internal static class StoreIntegrityGate
{
    /// <exception cref="StoreDamagedException">The store's check found damage.</exception>
    public static Task EnsureIntactAsync(INodeStore store, CancellationToken cancellationToken) =>
        store is IStoreIntegrity integrity ? integrity.EnsureIntactAsync(cancellationToken) : Task.CompletedTask;

    public static StoreCheckStatus Status(INodeStore store) => store is IStoreIntegrity integrity ? integrity.IntegrityStatus : StoreCheckStatus.None;

    /// <summary>What the check found, when it failed; null otherwise (never waits).</summary>
    public static string? Damage(INodeStore store)
    {
        if (store is not IStoreIntegrity integrity || integrity.IntegrityStatus != StoreCheckStatus.Failed) return null;
        var verdict = integrity.EnsureIntactAsync(CancellationToken.None);
        return verdict.IsFaulted ? verdict.Exception!.InnerException!.Message : "its integrity check found damage";
    }
}
