using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The relay could not be reached, failed while answering, or its answer was lost or not understood; the
/// call may or may not have taken effect (every call is safe to repeat).</summary>
public sealed class RelayUnavailableException(string message, Exception? inner = null) : LedgerException(message, inner);
