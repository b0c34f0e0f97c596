using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>The signing side of one author (one device): builds, signs and chains its ops. The device
/// holds only its current key and the commitment to the next; rotating needs the next key, which a
/// recovery ceremony derives from the master secret (<c>AuthorRecovery</c>).</summary>
/// <remarks>Not thread-safe: an author's ops are sequential by definition. Edge inputs (the op's time and
/// its UUIDv7) come from the <see cref="TimeProvider"/> given, never from inside a verb.</remarks>
public sealed class AuthorLog
{
    private readonly AuthorChainVerifier _state;
    private readonly TimeProvider _time;
    private readonly Func<DateTimeOffset, Guid> _opIds;
    private SigningKey _key;

    private AuthorLog(AuthorChainVerifier state, SigningKey key, TimeProvider time, Func<DateTimeOffset, Guid>? opIds)
    {
        _state = state;
        _key = key;
        _time = time;
        _opIds = opIds ?? new OpIdSource().Next;
    }

    /// <summary>The ledger every op is signed for.</summary>
    public string Ledger => _state.Ledger;

    /// <summary>The self-certifying author id.</summary>
    public AuthorId Author => _state.Author;

    /// <summary>The last seq signed.</summary>
    public ulong Seq => _state.Seq;

    /// <summary>The chain hash of the last op signed.</summary>
    public Hash32 Tip => _state.Tip;

    /// <summary>The key state after the last op.</summary>
    public KeyState Keys => _state.Keys!;

    /// <summary>The author's branch <paramref name="name"/>.</summary>
    public BranchId Branch(string name = "main") => new(Author, name);

    /// <summary>Starts a new author: signs the inception (seq 1) with <paramref name="key"/>, committing to
    /// the key whose digest is <paramref name="nextKeyDigest"/>.</summary>
    /// <param name="ledger">The ledger.</param>
    /// <param name="label">The human part of the author id.</param>
    /// <param name="key">The inception key.</param>
    /// <param name="nextKeyDigest">The commitment to the next key.</param>
    /// <param name="inception">The signed inception op.</param>
    /// <param name="keyIndex">The recovery index of <paramref name="key"/>.</param>
    /// <param name="time">The edge clock (default: the system clock).</param>
    /// <param name="opIds">Mints op ids from the edge time (default: UUIDv7 with random bits).</param>
    public static AuthorLog Incept(string ledger, string label, SigningKey key, Hash32 nextKeyDigest, out SignedOp inception,
        uint keyIndex = 0, TimeProvider? time = null, Func<DateTimeOffset, Guid>? opIds = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        time ??= TimeProvider.System;
        var author = AuthorIdentity.Derive(label, key.Public, nextKeyDigest);
        var log = new AuthorLog(new AuthorChainVerifier(ledger, author), key, time, opIds);
        inception = log.Sign(KeyEvents.Manifest.CreateOp(KeyEvents.InceptVerb,
            new InceptArgs(label, key.Public.RawBytes.ToArray(), nextKeyDigest.ToArray(), keyIndex),
            author, 1, Hash32.Zero, new BranchId(author, KeyEvents.BranchName), log.Now(), log.NewOpId()));
        return log;
    }

    /// <summary>Continues an author whose chain (up to its verified tip) is known — after a restart, or after
    /// a recovery fetched the tip. <paramref name="key"/> must be the current key of that tip, or the
    /// pre-committed next key (then the first op must be a rotation or revocation).</summary>
    public static AuthorLog Resume(AuthorChainVerifier verifiedTip, SigningKey key, TimeProvider? time = null, Func<DateTimeOffset, Guid>? opIds = null)
    {
        ArgumentNullException.ThrowIfNull(verifiedTip);
        ArgumentNullException.ThrowIfNull(key);
        if (verifiedTip.Keys is null) throw Error.Argument("the chain has no inception yet.", nameof(verifiedTip));
        var copy = AuthorChainVerifier.Resume(verifiedTip.Ledger, verifiedTip.Author, verifiedTip.Seq, verifiedTip.Tip, verifiedTip.Keys);
        return new AuthorLog(copy, key, time ?? TimeProvider.System, opIds);
    }

    /// <summary>Signs the next op of <paramref name="verb"/> on the author's branch <paramref name="branch"/>.</summary>
    public SignedOp Append<TArgs>(Manifest manifest, Verb<TArgs> verb, TArgs args, string branch = "main", string? claimKey = null, long? at = null, Guid? opId = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return Sign(manifest.CreateOp(verb, args, Author, Seq + 1, Tip, new BranchId(Author, branch), at ?? Now(), opId ?? NewOpId(), claimKey));
    }

    /// <summary>Signs the next op of <paramref name="verb"/> with args the caller encoded already
    /// (<see cref="Verb{TArgs}.EncodeArgs"/>), so that encoding stays off the serial signing path.</summary>
    public SignedOp AppendEncoded(Manifest manifest, Verb verb, byte[] encodedArgs, string branch = "main", string? claimKey = null, long? at = null, Guid? opId = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return Sign(manifest.CreateOpFromEncodedArgs(verb, encodedArgs, Author, Seq + 1, Tip, new BranchId(Author, branch), at ?? Now(), opId ?? NewOpId(), claimKey));
    }

    /// <summary>Signs an op built by the caller (its author, seq and prev must continue this chain).</summary>
    public SignedOp Sign(Op op)
    {
        var signed = SignedOpCodec.Sign(op, Ledger, _key);
        var check = _state.AppendOwn(signed);
        if (!check.IsOk) throw Error.InvalidOperation($"cannot sign {op.Ref}: {check.Break}: {check.Detail}");
        return signed;
    }

    /// <summary>Rotates to <paramref name="next"/> (the pre-committed next key, from recovery), committing to
    /// the key after it. Signed by <paramref name="next"/>; from here on only it signs.</summary>
    public SignedOp Rotate(SigningKey next, Hash32 followingKeyDigest, uint keyIndex)
    {
        ArgumentNullException.ThrowIfNull(next);
        var op = KeyEvents.Manifest.CreateOp(KeyEvents.RotateVerb, new RotateArgs(next.Public.RawBytes.ToArray(), followingKeyDigest.ToArray(), keyIndex),
            Author, Seq + 1, Tip, new BranchId(Author, KeyEvents.BranchName), Now(), NewOpId());
        return SignWith(op, next);
    }

    /// <summary>Revokes the current key: signed by the pre-committed <paramref name="next"/> key. Past ops stay
    /// valid; later ops under the revoked key are stale. A null <paramref name="followingKeyDigest"/> closes the chain.</summary>
    public SignedOp Revoke(SigningKey next, Hash32? followingKeyDigest, uint keyIndex, string reason, ulong? disputedSinceSeq = null)
    {
        ArgumentNullException.ThrowIfNull(next);
        var op = KeyEvents.Manifest.CreateOp(KeyEvents.RevokeVerb,
            new RevokeArgs(next.Public.RawBytes.ToArray(), followingKeyDigest?.ToArray(), keyIndex, disputedSinceSeq, reason),
            Author, Seq + 1, Tip, new BranchId(Author, KeyEvents.BranchName), Now(), NewOpId());
        return SignWith(op, next);
    }

    private SignedOp SignWith(Op op, SigningKey key)
    {
        var signed = SignedOpCodec.Sign(op, Ledger, key);
        var check = _state.AppendOwn(signed);
        if (!check.IsOk) throw Error.InvalidOperation($"cannot sign {op.Ref}: {check.Break}: {check.Detail}");
        _key = key;
        return signed;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private Guid NewOpId() => _opIds(_time.GetUtcNow());
}
