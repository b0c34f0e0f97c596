using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A sync round stopped because the relay's answer cannot be trusted or used (an op that does not
/// verify, a hole in the positions, an own op this node never signed). Nothing of that answer was stored.</summary>
public sealed class SyncException(string message, Exception? inner = null) : LedgerException(message, inner);
