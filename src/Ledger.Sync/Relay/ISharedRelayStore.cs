namespace Ledger.Sync;

/// <summary>A relay store that many relay instances share (PostgreSQL): other instances append to it too, so the store,
/// not the relay, assigns positions — under a lock held in the transaction that stores the batch, so positions are
/// contiguous and a reader never sees position N+1 before N. A <see cref="Relay"/> over a shared store verifies
/// signatures on its own cores, lets the store sequence, and refreshes its view (count, Merkle tree, author chains)
/// from the store before it answers.</summary>
public interface ISharedRelayStore : IRelayStore
{
    /// <summary>Stores <paramref name="ops"/> at the next free positions, atomically, and returns the first of them
    /// (the positions the ops carry are ignored). Updates <see cref="IRelayStore.Count"/>.</summary>
    /// <exception cref="RelayStoreConflictException">An (author, seq) of the batch is held already (another instance
    /// stored it first); nothing was stored.</exception>
    /// <exception cref="StorageFullException">The batch would exceed the cap; nothing was stored.</exception>
    /// <exception cref="StoreUnavailableException">The database could not be reached; the batch may or may not be stored.</exception>
    Task<long> AppendSequencedAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default);

    /// <summary>Reads how many ops all instances have committed and updates <see cref="IRelayStore.Count"/>.</summary>
    /// <exception cref="StoreUnavailableException">The database could not be reached.</exception>
    Task<long> RefreshAsync(CancellationToken cancellationToken = default);
}
