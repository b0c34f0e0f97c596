using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The highest own seq a node store ever committed, and that op's chain hash, from a record the store keeps
/// outside its data so that it survives the data rolling back (see <see cref="INodeStore.OwnHighWater"/>).</summary>
/// <param name="Seq">The own seq.</param>
/// <param name="ChainHash">The chain hash of the own op at <paramref name="Seq"/>.</param>
public readonly record struct OwnHighWater(ulong Seq, Hash32 ChainHash);
