namespace Ledger.Sync;

/// <summary>The path a node came up by.</summary>
public enum NodeStartPath
{
    /// <summary>A new author on an empty store: only its inception was folded.</summary>
    Incepted = 1,

    /// <summary>Reopened on its own store: every op it held was verified and folded again.</summary>
    Reopened = 2,

    /// <summary>Restored from an export (<see cref="DeviceNode.ImportAsync"/>).</summary>
    Imported = 3,

    /// <summary>Recovered from the relay with the author's master secret (<see cref="DeviceNode.RecoverAsync"/>).</summary>
    Recovered = 4,
}
