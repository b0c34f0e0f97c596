using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>An op as its author signed it: stored and sent as these exact bytes and verified without
/// re-serializing (docs/wire-format.md, "Signed op v1").</summary>
public sealed class SignedOp
{
    internal SignedOp(byte[] bytes, string ledger, Op op, KeyId keyId, int signatureOffset)
    {
        Bytes = bytes;
        Ledger = ledger;
        KeyId = keyId;
        SignatureOffset = signatureOffset;
        ChainHash = Hash32.Sha256(bytes);
        Op = op.WithChainHash(ChainHash);
    }

    /// <summary>The signed bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The ledger the signature is bound to.</summary>
    public string Ledger { get; }

    /// <summary>The op, whose <see cref="Op.ChainHash"/> is the hash of the signed bytes.</summary>
    public Op Op { get; }

    /// <summary>The id of the key that signed.</summary>
    public KeyId KeyId { get; }

    /// <summary>SHA-256 of <see cref="Bytes"/>: what the author's next op names as Prev.</summary>
    public Hash32 ChainHash { get; }

    /// <summary>(Author, Seq).</summary>
    public OpRef Ref => Op.Ref;

    internal int SignatureOffset { get; }

    /// <summary>The bytes the signature covers: the encoded label, ledger, op and key id.</summary>
    public ReadOnlySpan<byte> SignedMessage => SignedArray.Message(Bytes.Span, SignatureOffset);

    /// <summary>The 64-byte Ed25519 signature.</summary>
    public ReadOnlySpan<byte> Signature => Bytes.Span[SignatureOffset..];

    /// <summary>True when the signature verifies under <paramref name="key"/>.</summary>
    public bool VerifySignature(VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Id == KeyId && key.Verify(SignedMessage, Signature);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Op} signed by {KeyId}";
}
