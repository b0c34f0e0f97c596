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

/// <summary>How a node came up: the path, how many ops it verified and folded to get there, and how long opening
/// took — so a slow cold start is seen, not guessed (the monitor's "bootstrap path" widget).</summary>
public sealed record NodeStartup(NodeStartPath Path, int OpsFolded, TimeSpan Took);
