using Ledger.Sync;

namespace Ledger.Sync.Tests;

/// <summary>How the shared sync witnesses (<see cref="SyncWitnesses"/>) reach a relay: in memory through the wire codec
/// here, over HTTP to a Kestrel relay on loopback in Ledger.Relay.Tests (HttpSyncWitnesses). A test makes its relays with
/// <see cref="NewRelay"/> (over HTTP a relay must sign checkpoints) and links to them with <see cref="ConnectAsync"/>.</summary>
public abstract class RelayLinks : IAsyncDisposable
{
    /// <summary>A relay of <paramref name="options"/> on a fresh in-memory store.</summary>
    public virtual Relay NewRelay(RelayOptions options) => new(options, new InMemoryRelayStore());

    /// <summary>A link to <paramref name="relay"/>; while <paramref name="loseAnswer"/> says so, each call reaches the relay
    /// and its answer is lost on the way back (the caller sees the relay unavailable).</summary>
    public abstract Task<IRelayProtocol> ConnectAsync(Relay relay, Func<bool>? loseAnswer = null);

    /// <summary>A link to a relay that cannot be reached.</summary>
    public abstract Task<IRelayProtocol> UnreachableAsync();

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
