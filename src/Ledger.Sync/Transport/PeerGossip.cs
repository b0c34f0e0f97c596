namespace Ledger.Sync;

/// <summary>A direct channel between peers (in memory here) for gossiping cosigned checkpoints, so that a relay
/// that shows different logs to different devices is caught even if it filters what passes through it.</summary>
public sealed class PeerGossip
{
    private readonly List<DeviceNode> _members = [];
    private readonly Lock _gate = new();

    /// <summary>Notes delivered so far.</summary>
    public long Delivered { get; private set; }

    /// <summary>Adds a node to the channel.</summary>
    public void Join(DeviceNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_gate) _members.Add(node);
        node.JoinGossip(this);
    }

    internal void Publish(DeviceNode from, byte[] note)
    {
        DeviceNode[] others;
        lock (_gate) others = _members.Where(m => !ReferenceEquals(m, from)).ToArray();
        foreach (var peer in others)
        {
            peer.ReceiveGossip(note);
            lock (_gate) Delivered++;
        }
    }
}
