using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Monitor.Tests;

/// <summary>A relay caught equivocating (test double, as Ledger.Sync.Tests' ForkingRelay and the SiteBooks demo's
/// DishonestRelay): the honest relay's key and origin sign a second log, <paramref name="fork"/>, which the device on
/// this link sees. Its pushes go to the fork first and to the honest relay after; every op the honest relay holds
/// reaches the fork after them. Both logs hold the same ops, each checkpoint is validly signed, but the orders differ:
/// a device gossiping with one on the honest log catches the split view with evidence.</summary>
internal sealed class ForkedView(Sync.Relay honest, Sync.Relay fork) : ForwardingRelayProtocol
{
    private readonly InMemoryRelayTransport _honest = new(honest);
    private readonly InMemoryRelayTransport _fork = new(fork);

    protected override IRelayProtocol Inner => _fork;

    public override async Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default)
    {
        var answer = await _fork.PushAsync(batch, cancellationToken);
        await _honest.PushAsync(batch, cancellationToken);
        return answer;
    }

    public override async Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
    {
        // The honest relay's ops reach the fork late, in the honest order after the ones this device pushed.
        var all = (await honest.PullAsync(0, cancellationToken: cancellationToken)).Ops.Select(o => o.Bytes).ToArray();
        if (all.Length > 0) await fork.PushAsync(all, cancellationToken);
        return await _fork.PullAsync(fromPosition, max, cancellationToken);
    }
}
