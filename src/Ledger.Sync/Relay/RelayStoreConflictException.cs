using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A shared relay store refused a batch because another relay instance stored an op at one of its (author,
/// seq) first. Nothing of the batch was stored; the relay rereads the authors' chains and ingests the batch again (the
/// op is then a duplicate with its position, or a fork).</summary>
public sealed class RelayStoreConflictException(string message, Exception? inner = null) : LedgerException(message, inner);
