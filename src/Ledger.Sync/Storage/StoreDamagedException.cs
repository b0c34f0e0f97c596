using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A store holds something its format does not allow (a damaged file, or one changed by hand): the store
/// refuses to serve it rather than pass on wrong data. Names the store, where, and what was found.</summary>
public sealed class StoreDamagedException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public StoreDamagedException(string store, string where, string detail, Exception? inner = null)
        : base($"{store} is damaged: {where}: {detail}. Restore it (a node from its latest export or by recovery; a relay by rebuilding it from the devices' stores).", inner)
    {
        Store = store;
        Where = where;
    }

    /// <summary>The store, for people (its kind and file).</summary>
    public string Store { get; }

    /// <summary>Where in the store (table, row, column).</summary>
    public string Where { get; }
}
