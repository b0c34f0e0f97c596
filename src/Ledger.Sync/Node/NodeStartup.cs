namespace Ledger.Sync;

/// <summary>How a node came up: the path, how many ops it verified and folded to get there, and how long opening
/// took — so a slow cold start is seen, not guessed (the monitor's "bootstrap path" widget).</summary>
public sealed record NodeStartup(NodeStartPath Path, int OpsFolded, TimeSpan Took);
