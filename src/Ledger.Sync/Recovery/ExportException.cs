using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>An export that decodes but cannot be trusted or does not fit this node; nothing was imported.</summary>
public sealed class ExportException(string message) : LedgerException(message);
