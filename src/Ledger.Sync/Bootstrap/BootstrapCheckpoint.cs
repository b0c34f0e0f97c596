using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>A checkpoint of the state a member device folded from exactly the first <see cref="Prefix"/> ops of a relay
/// log, signed by that device, for a new device to start from instead of genesis (docs/wire-format.md, "Bootstrap
/// checkpoint v1"). The relay that serves it only checked who signed it and that the prefix is in its log; the new
/// device checks everything else (<see cref="DeviceNode.BootstrapAsync"/>).</summary>
/// <param name="Ledger">The ledger.</param>
/// <param name="Author">The member device that folded and signed it.</param>
/// <param name="Origin">The relay log the prefix is of.</param>
/// <param name="Prefix">The number of relay ops folded (the relay frontier of the state).</param>
/// <param name="Root">The Merkle root of those ops, as the signer's witness computed it.</param>
/// <param name="Digest">The kernel checkpoint's digest (it covers every section, the rows through the state hash).</param>
/// <param name="Checkpoint">The kernel checkpoint v1 bytes.</param>
/// <param name="Signature">Ed25519 over <see cref="BootstrapWire.Domain"/> and the signed fields (see <see cref="BootstrapWire.SignedBytes"/>).</param>
public sealed record BootstrapCheckpoint(string Ledger, AuthorId Author, string Origin, long Prefix, Hash32 Root, Hash32 Digest, ReadOnlyMemory<byte> Checkpoint,
    ReadOnlyMemory<byte> Signature)
{
    /// <summary>Signs a kernel checkpoint of a relay prefix with the member's current key.</summary>
    public static BootstrapCheckpoint Sign(string ledger, AuthorId author, string origin, long prefix, Hash32 root, Hash32 digest, ReadOnlyMemory<byte> checkpoint, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(BootstrapWire.SignedBytes(ledger, author, origin, prefix, root, digest));
        return new BootstrapCheckpoint(ledger, author, origin, prefix, root, digest, checkpoint, signature);
    }

    /// <summary>True when <see cref="Signature"/> verifies with <paramref name="key"/> over the signed fields.</summary>
    public bool Verify(VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Signature.Length == 64 && key.Verify(BootstrapWire.SignedBytes(Ledger, Author, Origin, Prefix, Root, Digest), Signature.Span);
    }

    /// <summary>The canonical envelope bytes.</summary>
    public byte[] ToBytes() => BootstrapWire.Encode(this);
}
