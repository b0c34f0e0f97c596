using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Sync.Tests;

/// <summary>A dishonest relay (test double): two honest relay instances sharing one key and origin, each fed
/// every op, but device B's in a different order — so A and B each see a consistent, signed, different log.</summary>
internal sealed class ForkingRelay
{
    private readonly Relay _forA;
    private readonly Relay _forB;
    private readonly List<ReadOnlyMemory<byte>[]> _pendingForB = [];

    private IRelayProtocol _viewA = null!;
    private IRelayProtocol _viewB = null!;

    private ForkingRelay(SigningKey key, string origin, RelayLinks links)
    {
        _forA = links.NewRelay(new RelayOptions { Ledger = World.Ledger, Origin = origin, CheckpointKey = key });
        _forB = links.NewRelay(new RelayOptions { Ledger = World.Ledger, Origin = origin, CheckpointKey = key });
    }

    /// <summary>Each view is reached through <paramref name="links"/> (the wire codec, or HTTP), as an honest relay is:
    /// the dishonesty is in the order, not the bytes.</summary>
    public static async Task<ForkingRelay> CreateAsync(SigningKey key, string origin, RelayLinks links)
    {
        var fork = new ForkingRelay(key, origin, links);
        fork._viewA = await links.ConnectAsync(fork._forA);
        fork._viewB = await links.ConnectAsync(fork._forB);
        return fork;
    }

    public IRelayProtocol TransportFor(string device) => device == "A" ? new Link(this, forB: false) : new Link(this, forB: true);

    private sealed class Link(ForkingRelay fork, bool forB) : ForwardingRelayProtocol
    {
        protected override IRelayProtocol Inner { get; } = forB ? fork._viewB : fork._viewA;

        public override async Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default)
        {
            if (forB)
            {
                // B's ops go first to B's view; A's view gets them right away too, but B's view gets A's ops late.
                var response = await Inner.PushAsync(batch, cancellationToken);
                await fork._forA.PushAsync(batch);
                return response;
            }

            var own = await Inner.PushAsync(batch, cancellationToken);
            fork._pendingForB.Add(batch.ToArray());
            return own;
        }

        public override async Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
        {
            if (forB && fromPosition > 0)
            {
                foreach (var pending in fork._pendingForB) await fork._forB.PushAsync(pending);
                fork._pendingForB.Clear();
            }

            return await Inner.PullAsync(fromPosition, max, cancellationToken);
        }
    }
}
