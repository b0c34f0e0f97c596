using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A store on a server (PostgreSQL) could not be reached, or the server ended the session: the call may or may
/// not have taken effect and may be repeated (every relay call is idempotent). The HTTP relay answers it with 503
/// <c>unavailable</c> and Retry-After. A SQLite store throws it when its file cannot be written now (locked, read-only, a
/// failing disk), and at open when another store, in this process or another, has the file open (it owns the file
/// until it is disposed or its process ends): that open read and wrote nothing.</summary>
public sealed class StoreUnavailableException(string store, string detail, Exception? inner = null)
    : LedgerException($"{store} is unavailable: {detail}. Nothing acknowledged is lost; retry.", inner)
{
    /// <summary>The store, for people.</summary>
    public string Store { get; } = store;
}
