using System.Buffers;
using Ledger.Kernel;
using MessagePack;

namespace Ledger.Signing;

/// <summary>An author's keys at a point of its chain: the current key, the commitment to the next, and
/// the keys retired before (with the position they stopped being valid). Immutable.</summary>
public sealed class KeyState
{
    internal KeyState(VerificationKey current, Hash32? nextDigest, uint keyIndex, IReadOnlyList<RetiredKey> retired, ulong? revokedAtSeq, ulong? disputedSince, ulong lastEventSeq)
    {
        Current = current;
        NextDigest = nextDigest;
        KeyIndex = keyIndex;
        Retired = retired;
        RevokedAtSeq = revokedAtSeq;
        DisputedSinceSeq = disputedSince;
        LastEventSeq = lastEventSeq;
    }

    /// <summary>The key that signs the author's ops now.</summary>
    public VerificationKey Current { get; }

    /// <summary>The commitment to the next key; null when a revocation closed the chain.</summary>
    public Hash32? NextDigest { get; }

    /// <summary>The recovery index of <see cref="Current"/>.</summary>
    public uint KeyIndex { get; }

    /// <summary>Keys no longer valid, each with the seq from which it is stale.</summary>
    public IReadOnlyList<RetiredKey> Retired { get; }

    /// <summary>The seq of the last revocation, if any.</summary>
    public ulong? RevokedAtSeq { get; }

    /// <summary>Advisory: the owner disputes ops from this seq on.</summary>
    public ulong? DisputedSinceSeq { get; }

    /// <summary>The seq of the last key event.</summary>
    public ulong LastEventSeq { get; }

    /// <summary>True when no further op can be valid.</summary>
    public bool Closed => NextDigest is null;

    /// <summary>A digest of this key state, for checkpoints: SHA-256 of ["ledger/key-state/v1", current, next, index, retired …].</summary>
    public Hash32 Digest()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(5);
        w.Write("ledger/key-state/v1");
        w.Write(Current.RawBytes);
        if (NextDigest is { } next) w.Write(next.ToArray()); else w.WriteNil();
        w.Write(KeyIndex);
        w.WriteArrayHeader(Retired.Count);
        foreach (var r in Retired)
        {
            w.WriteArrayHeader(3);
            w.Write(r.Key.RawBytes);
            w.Write(r.StaleFromSeq);
            w.Write(r.Revoked);
        }

        w.Flush();
        return Hash32.Sha256(buffer.WrittenSpan);
    }

    internal KeyState After(VerificationKey revealed, Hash32? next, uint index, ulong seq, bool revoked, ulong? disputedSince)
    {
        var retired = new List<RetiredKey>(Retired) { new(Current, seq, revoked) };
        return new KeyState(revealed, next, index, retired, revoked ? seq : RevokedAtSeq, revoked ? disputedSince : DisputedSinceSeq, seq);
    }

    /// <summary>The retired key with this id, if any.</summary>
    public RetiredKey? FindRetired(KeyId id) => Retired.FirstOrDefault(r => r.Key.Id == id);
}

/// <summary>A key that stopped being valid at <paramref name="StaleFromSeq"/> (the position of the rotation or revocation).</summary>
/// <param name="Key">The key.</param>
/// <param name="StaleFromSeq">Ops at or after this seq signed by it are stale.</param>
/// <param name="Revoked">True when a revocation (not a routine rotation) retired it.</param>
public sealed record RetiredKey(VerificationKey Key, ulong StaleFromSeq, bool Revoked);
