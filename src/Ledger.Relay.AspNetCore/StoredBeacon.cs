namespace Ledger.Sync.AspNetCore;

/// <summary>The latest beacon of one author as the relay keeps it: the signed envelope and when it arrived.</summary>
/// <param name="Signed">The verified beacon, with its bytes.</param>
/// <param name="ReceivedAt">When the relay received it, by the relay's clock (<see cref="LedgerRelayOptions.Time"/>).</param>
public sealed record StoredBeacon(SignedBeacon Signed, DateTimeOffset ReceivedAt)
{
    /// <summary>The beacon.</summary>
    public NodeBeacon Beacon => Signed.Beacon;
}
