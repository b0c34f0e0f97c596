using Ledger.Kernel;

namespace Ledger.Erasure;

/// <summary>A key store could not keep one of its promises (its file is not a key store, or a shred could not
/// be made durable without leftovers). Names the store and what failed; never holds key bytes.</summary>
public sealed class SubjectKeyStoreException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public SubjectKeyStoreException(string store, string message, Exception? inner = null) : base($"key store {store}: {message}", inner)
    {
        Store = store;
    }

    /// <summary>The store (its file path, or <c>memory</c>).</summary>
    public string Store { get; }
}
