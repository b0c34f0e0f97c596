using Ledger.Kernel;

namespace Ledger.Migration;

/// <summary>A manifest breaks a rule of shipped history: it changes a shipped verb version or a table's kind
/// or encoding. The message says what and what to do instead.</summary>
public sealed class ManifestRejectedException(string message) : LedgerException(message);
