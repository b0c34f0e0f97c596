using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A shared store that reads many authors' tips and key events in one round trip. A group of pushes
/// (<see cref="GroupStoreView"/>) reads every author whose cached chain may lag the store at once, instead of two round
/// trips per push under the relay's gate: a till whose pushes alternate between instances finds its chain advanced by
/// the other instance at nearly every push. Internal: only the relay asks.</summary>
internal interface IAuthorChainReader : ISharedRelayStore
{
    /// <summary>For each of <paramref name="authors"/> the store holds: its last stored op and its key events in seq
    /// order (an author the store does not hold is not in the answer).</summary>
    Task<IReadOnlyDictionary<AuthorId, (StoredOp Tip, IReadOnlyList<StoredOp> KeyEvents)>> ReadChainsAsync(IReadOnlyCollection<AuthorId> authors, CancellationToken cancellationToken);
}
