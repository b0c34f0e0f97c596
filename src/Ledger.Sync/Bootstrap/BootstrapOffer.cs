using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>What a relay serves a device that bootstraps (<c>GET bootstrap</c>, docs/wire-format.md, "Bootstrap offer
/// v1"): the latest bootstrap checkpoint of each member that posted one (envelopes, unverified: the device verifies), and,
/// for every author the checkpoints name, the author's key events as the relay holds them (signed ops, each verifiable on
/// its own: the device needs the keys to check the tail it pulls after the prefix).</summary>
/// <param name="Checkpoints">Bootstrap checkpoint envelopes, in author order.</param>
/// <param name="KeyEvents">Per author, its key-event ops (Signed op v1 bytes) in seq order, in author order.</param>
public sealed record BootstrapOffer(IReadOnlyList<ReadOnlyMemory<byte>> Checkpoints, IReadOnlyList<(AuthorId Author, IReadOnlyList<ReadOnlyMemory<byte>> Events)> KeyEvents)
{
    /// <summary>The canonical bytes.</summary>
    public byte[] ToBytes() => BootstrapWire.EncodeOffer(this);
}
