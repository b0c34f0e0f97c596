using Ledger.Kernel;
using Ledger.Signing.Recovery;

namespace Ledger.Signing;

/// <summary>Creating an author from a recovery master secret, and getting it back on a wiped device:
/// k shares → master secret → the pre-committed next key → fetch the author's verified tip → rotate → go on.
/// The master secret is never stored on the device; key i's seed is
/// HKDF-SHA256(master, "ledger/key/v1" ‖ label ‖ u32be(i)) (<see cref="AuthorKeySeeds"/>, with the label as author).</summary>
/// <remarks>The label stands in for the author id in the key derivation because a self-certifying author id
/// is derived from key 0 itself.</remarks>
public static class AuthorRecovery
{
    /// <summary>Starts an author whose keys derive from <paramref name="masterSecret"/>: key 0 signs the
    /// inception, which commits to key 1.</summary>
    public static AuthorLog Incept(string ledger, string label, ReadOnlySpan<byte> masterSecret, out SignedOp inception, TimeProvider? time = null, Func<DateTimeOffset, Guid>? opIds = null)
    {
        var key0 = KeyAt(masterSecret, label, 0);
        using var key1 = KeyAt(masterSecret, label, 1);
        return AuthorLog.Incept(ledger, label, key0, key1.Public.Digest, out inception, 0, time, opIds);
    }

    /// <summary>The signing key at <paramref name="index"/> for <paramref name="label"/>.</summary>
    public static SigningKey KeyAt(ReadOnlySpan<byte> masterSecret, string label, uint index)
    {
        if (!AuthorIdentity.IsValidLabel(label)) throw Error.Argument("not an author label.", nameof(label));
        return SigningKey.FromSeed(AuthorKeySeeds.Derive(masterSecret, new AuthorId(label), index));
    }

    /// <summary>Verifies the author's chain as fetched from a relay (or any replica) and returns its tip. A
    /// recovering device must continue from here: re-signing a seq that exists is a fork.</summary>
    /// <exception cref="RecoveryException">The fetched chain does not verify.</exception>
    public static AuthorChainVerifier FetchTip(string ledger, IReadOnlyList<SignedOp> fetchedChain)
    {
        ArgumentNullException.ThrowIfNull(fetchedChain);
        if (fetchedChain.Count == 0) throw Error.Recovery("the relay has no op of this author: nothing to recover from.");
        var report = ChainVerifier.Verify(ledger, fetchedChain);
        if (!report.Ok) throw Error.Recovery($"the fetched chain does not verify: {report}");
        return AuthorChainVerifier.Resume(ledger, report.Author, (ulong)report.Length, report.Tip, report.Keys!);
    }

    /// <summary>Recovers the author on a new device: derives the pre-committed next key from the master
    /// secret, rotates to it chained on the fetched tip, and returns the log to go on with.</summary>
    /// <exception cref="RecoveryException">The secret does not derive the committed next key (wrong shares or
    /// passphrase, or another author), or the chain is closed.</exception>
    public static AuthorLog Recover(ReadOnlySpan<byte> masterSecret, AuthorChainVerifier fetchedTip, out SignedOp rotation, TimeProvider? time = null, Func<DateTimeOffset, Guid>? opIds = null)
    {
        ArgumentNullException.ThrowIfNull(fetchedTip);
        var keys = fetchedTip.Keys ?? throw Error.Recovery("the fetched chain has no inception.");
        if (keys.Closed) throw Error.Recovery($"the chain of {fetchedTip.Author} was closed by a revocation at seq {keys.RevokedAtSeq}; start a new author.");
        var label = AuthorIdentity.LabelOf(fetchedTip.Author) ?? throw Error.Recovery($"{fetchedTip.Author} is not a self-certifying author id.");
        var nextIndex = keys.KeyIndex + 1;
        var next = KeyAt(masterSecret, label, nextIndex);
        if (next.Public.Digest != keys.NextDigest)
        {
            next.Dispose();
            throw Error.Recovery($"this master secret does not derive the next key {fetchedTip.Author} committed to (key {nextIndex}): wrong shares, wrong passphrase, or another author.");
        }

        using var following = KeyAt(masterSecret, label, nextIndex + 1);
        var log = AuthorLog.Resume(fetchedTip, next, time, opIds);
        rotation = log.Rotate(next, following.Public.Digest, nextIndex);
        return log;
    }
}

/// <summary>Recovery cannot proceed; the message says why.</summary>
public sealed class RecoveryException(string message) : LedgerException(message);
