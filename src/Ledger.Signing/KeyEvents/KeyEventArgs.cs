using MessagePack;

namespace Ledger.Signing;

/// <summary>Args of <c>ledger.key.incept</c>: the first key of an author and a commitment to the next.</summary>
/// <param name="Label">The author label the self-certifying author id starts with.</param>
/// <param name="PublicKey">The inception key (32 raw bytes); it signs this op.</param>
/// <param name="NextKeyDigest">SHA-256("ledger/next-key/v1" ‖ next public key).</param>
/// <param name="KeyIndex">The recovery index of the inception key (0 when derived from a recovery secret).</param>
[MessagePackObject]
public sealed record InceptArgs(
    [property: Key(0)] string Label,
    [property: Key(1)] byte[] PublicKey,
    [property: Key(2)] byte[] NextKeyDigest,
    [property: Key(3)] uint KeyIndex);

/// <summary>Args of <c>ledger.key.rotate</c>: reveals the pre-committed next key (which signs this op)
/// and commits to the one after it.</summary>
/// <param name="PublicKey">The revealed key; its digest must equal the current commitment.</param>
/// <param name="NextKeyDigest">The commitment to the following key.</param>
/// <param name="KeyIndex">The recovery index of the revealed key.</param>
[MessagePackObject]
public sealed record RotateArgs(
    [property: Key(0)] byte[] PublicKey,
    [property: Key(1)] byte[] NextKeyDigest,
    [property: Key(2)] uint KeyIndex);

/// <summary>Args of <c>ledger.key.revoke</c>: like a rotation, signed by the pre-committed next key, and
/// marking the previous key as compromised from this position on. Past ops stay valid.</summary>
/// <param name="PublicKey">The revealed key; its digest must equal the current commitment.</param>
/// <param name="NextKeyDigest">The commitment to the following key, or null to close the chain.</param>
/// <param name="KeyIndex">The recovery index of the revealed key.</param>
/// <param name="DisputedSinceSeq">Advisory: the owner disputes ops from this seq on (apps may issue compensating ops); never invalidates history.</param>
/// <param name="Reason">A short reason code, e.g. <c>device-lost</c>.</param>
[MessagePackObject]
public sealed record RevokeArgs(
    [property: Key(0)] byte[] PublicKey,
    [property: Key(1)] byte[]? NextKeyDigest,
    [property: Key(2)] uint KeyIndex,
    [property: Key(3)] ulong? DisputedSinceSeq,
    [property: Key(4)] string Reason);

/// <summary>The key state row each author's <c>&lt;author&gt;/keys</c> branch holds after its key events fold.</summary>
/// <param name="PublicKey">The current key.</param>
/// <param name="NextKeyDigest">The commitment to the next key; null once the chain is closed.</param>
/// <param name="KeyIndex">The recovery index of the current key.</param>
/// <param name="Events">Key events so far.</param>
/// <param name="RevokedAtSeq">The position of the last revocation, if any.</param>
/// <param name="DisputedSinceSeq">The advisory dispute position of the last revocation, if any.</param>
[MessagePackObject]
public sealed record KeyStateRow(
    [property: Key(0)] byte[] PublicKey,
    [property: Key(1)] byte[]? NextKeyDigest,
    [property: Key(2)] uint KeyIndex,
    [property: Key(3)] int Events,
    [property: Key(4)] ulong? RevokedAtSeq,
    [property: Key(5)] ulong? DisputedSinceSeq);
