using Ledger.Sync;

namespace Ledger.Relay.AspNetCore;

/// <summary>One ledger a <see cref="LedgerRelayServer"/> serves: its relay and who may read it.</summary>
public sealed class RelayLedger
{
    /// <summary>Serves <paramref name="relay"/>.</summary>
    /// <param name="relay">The relay; it must sign checkpoints (<see cref="RelayOptions.CheckpointKey"/>): C2SP tlog-tiles
    /// clients learn the tree size from the checkpoint.</param>
    /// <param name="isPublic">True: tiles, entry bundles and checkpoints are cacheable by shared caches
    /// (<c>Cache-Control: public</c>); false: only by the device (<c>private</c>).</param>
    public RelayLedger(Ledger.Sync.Relay relay, bool isPublic = false)
    {
        ArgumentNullException.ThrowIfNull(relay);
        if (relay.CheckpointVerifierKey is null)
        {
            throw new ArgumentException($"the relay of ledger '{relay.Ledger}' signs no checkpoints: over HTTP the tree size is learnt from the signed checkpoint (set RelayOptions.CheckpointKey).", nameof(relay));
        }

        Relay = relay;
        IsPublic = isPublic;
    }

    /// <summary>The relay.</summary>
    public Ledger.Sync.Relay Relay { get; }

    /// <summary>The ledger's name, as in the path <c>/v1/ledgers/{ledger}/</c>.</summary>
    public string Name => Relay.Ledger;

    /// <summary>True when the ledger's log may be cached by shared caches.</summary>
    public bool IsPublic { get; }

    /// <summary>Set by every push that stored an op; long polls wait on it.</summary>
    internal Signal Changed { get; } = new();
}
