using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The node stores cannot be merged into one order: they disagree about a position (the old relay
/// showed them different orders), or none of them verifies. The message says which and where.</summary>
public sealed class RebuildException(string message) : LedgerException(message);
