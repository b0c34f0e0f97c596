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

    /// <summary>A new author on an empty store that started from a relay-served checkpoint of another member's state
    /// (<see cref="DeviceNode.BootstrapAsync"/>): it pulls only the relay's ops after the checkpoint's prefix.</summary>
    Bootstrapped = 5,
}
