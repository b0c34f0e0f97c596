namespace Ledger.Sync.Http;

/// <summary>Configuration of the hosted sync loop (<see cref="LedgerNodeSyncService"/>).</summary>
public sealed class LedgerNodeSyncOptions
{
    /// <summary>The relay's root address, e.g. <c>http://127.0.0.1:5080/</c>. Required with <c>AddLedgerNode</c>.</summary>
    public Uri? RelayAddress { get; set; }

    /// <summary>The ledger (default: the node's).</summary>
    public string? Ledger { get; set; }

    /// <summary>Signs every request as the node's author (RFC 9421), for a relay that admits members only. Null: unsigned.</summary>
    public RequestSigner? Signer { get; set; }

    /// <summary>The device's current signing key. When set, the loop sends a signed beacon (<see cref="NodeBeacon"/>) to
    /// the relay after every round that reached it, so the relay can compute fleet alerts. Null (default): no beacons.</summary>
    public Func<Ledger.Signing.SigningKey>? BeaconKey { get; set; }

    /// <summary>Sync at least this often. Default 30 seconds.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait on the relay's long poll between rounds, so a round starts as soon as the relay has more. Default true.</summary>
    public bool LongPoll { get; set; } = true;

    /// <summary>The first wait after a failed round (offline, refused, a store error) or a push that left ops
    /// unacknowledged; doubled per failure up to <see cref="MaxBackoff"/>, with jitter. Default 1 second.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between failed rounds. Default 60 seconds.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A round that takes longer is cancelled (and counts as failed): the loop never wedges on one call. Default 2 minutes.</summary>
    public TimeSpan RoundTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
