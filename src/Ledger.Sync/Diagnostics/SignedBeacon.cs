using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>A decoded beacon envelope: the beacon, the exact bytes signed and the signature. Decoding checks the form,
/// not the signature: <see cref="Verify"/> with the author's key does.</summary>
public sealed class SignedBeacon
{
    internal SignedBeacon(NodeBeacon beacon, ReadOnlyMemory<byte> body, ReadOnlyMemory<byte> signature, ReadOnlyMemory<byte> bytes)
    {
        Beacon = beacon;
        Body = body;
        Signature = signature;
        Bytes = bytes;
    }

    /// <summary>The beacon.</summary>
    public NodeBeacon Beacon { get; }

    /// <summary>The canonical encoding of the beacon (what the signature covers, after the domain prefix).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The Ed25519 signature.</summary>
    public ReadOnlyMemory<byte> Signature { get; }

    /// <summary>The whole envelope as received.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>True when <paramref name="key"/> signed this beacon.</summary>
    public bool Verify(VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Verify(BeaconWire.SignedBytes(Body.Span), Signature.Span);
    }
}
