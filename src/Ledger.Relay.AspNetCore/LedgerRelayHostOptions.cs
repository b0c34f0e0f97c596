namespace Ledger.Sync.AspNetCore;

/// <summary>What <see cref="LedgerRelayHost.StartAsync(LedgerRelayHostOptions, CancellationToken)"/> runs: one ledger on a
/// SQLite store, listening on <see cref="Urls"/>.</summary>
public sealed class LedgerRelayHostOptions
{
    /// <summary>Where to listen. Default <c>http://127.0.0.1:5080</c>; port 0 picks a free port
    /// (<see cref="LedgerRelayHost.Urls"/> says which).</summary>
    public IList<string> Urls { get; } = ["http://127.0.0.1:5080"];

    /// <summary>The SQLite relay store file (created when missing). Required.</summary>
    public string StorePath { get; set; } = "";

    /// <summary>The ledger served. Required.</summary>
    public string Ledger { get; set; } = "";

    /// <summary>The relay's log identity for checkpoints (default <c>ledger-relay/&lt;ledger&gt;</c>).</summary>
    public string? Origin { get; set; }

    /// <summary>The file holding the 32-byte seed of the checkpoint key; created (from the system's random source)
    /// when missing. Default: the store path + <c>.checkpoint-key</c>. Keep it: a relay that changes its key
    /// changes its identity for every device that trusts it.</summary>
    public string? CheckpointKeyPath { get; set; }

    /// <summary>True: tiles and checkpoints may be cached by shared caches.</summary>
    public bool IsPublic { get; set; }

    /// <summary>The ledger admin's key: when set, members only (signed requests, membership grants from this key).</summary>
    public Ledger.Signing.VerificationKey? AdminKey { get; set; }

    /// <summary>Further configuration of the server (timeouts, limits, more ledgers).</summary>
    public Action<LedgerRelayOptions>? Configure { get; set; }
}
