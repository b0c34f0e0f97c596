using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>This node holds evidence that the relay misbehaved and no longer trusts it: it neither sends to nor
/// reads from it. The evidence is kept in the node's store and listed by <see cref="DeviceNode.GetEvidenceAsync"/>.</summary>
public sealed class RelayFrozenException(string message) : LedgerException(message);
