using Ledger.Sync;

namespace Ledger.Sync.Tests;

/// <summary>The in-memory transport (every call through the wire codec).</summary>
public sealed class InMemoryLinks : RelayLinks
{
    /// <inheritdoc />
    public override Task<IRelayProtocol> ConnectAsync(Relay relay, Func<bool>? loseAnswer = null) =>
        Task.FromResult<IRelayProtocol>(new InMemoryRelayTransport(relay) { LoseAnswer = loseAnswer });

    /// <inheritdoc />
    public override Task<IRelayProtocol> UnreachableAsync() =>
        Task.FromResult<IRelayProtocol>(new InMemoryRelayTransport(new Relay(new RelayOptions { Ledger = World.Ledger }, new InMemoryRelayStore())) { Online = false });
}
