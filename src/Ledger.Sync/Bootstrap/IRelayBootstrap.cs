using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The bootstrap calls of a relay (docs/sync.md, "Bootstrap of a new device"), beside <see cref="IRelayProtocol"/>:
/// <see cref="Relay"/> and <c>HttpRelayClient</c> implement both.</summary>
public interface IRelayBootstrap
{
    /// <summary>Posts a bootstrap checkpoint (<see cref="BootstrapCheckpoint"/> envelope bytes). The relay keeps it as the
    /// poster's latest when its signer is a member whose current key verifies it and its prefix is within the log.</summary>
    /// <exception cref="BootstrapRefusedException">Refused; nothing was kept.</exception>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    Task PostBootstrapCheckpointAsync(ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default);

    /// <summary>The bootstrap checkpoints the relay keeps and the key events of the authors they name.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    Task<BootstrapOffer> GetBootstrapOfferAsync(CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="count"/> leaf hashes of the relay's Merkle tree from leaf <paramref name="from"/>
    /// (the device checks them against the relay-signed root; over HTTP these are tlog tiles of level 0).</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    /// <exception cref="RelayProtocolException">The range is beyond the log.</exception>
    Task<IReadOnlyList<Hash32>> GetLeafHashesAsync(long from, int count, CancellationToken cancellationToken = default);
}
