using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Signing.Recovery;

/// <summary>SLIP-0039 ("Shamir's Secret-Sharing for Mnemonic Codes"): splits a master secret into
/// word shares in one or two levels (groups of members) and combines them back. Shares interoperate
/// with other SLIP-0039 implementations, hardware wallets included, in both the original and the
/// extendable format.</summary>
/// <remarks>Every failure is a <see cref="ShareException"/> whose <see cref="ShareException.Problem"/>
/// says what is wrong and, when one share is to blame, which one. A wrong passphrase is not an error:
/// SLIP-0039 cannot tell it apart and yields a different master secret (by design, for deniability).</remarks>
public static class Slip39
{
    /// <summary>The shortest master secret, in bytes (128 bits).</summary>
    public const int MinSecretLength = 16;

    /// <summary>The longest master secret, in bytes (256 bits).</summary>
    public const int MaxSecretLength = 32;

    /// <summary>The most groups, and the most members of a group.</summary>
    public const int MaxShareCount = 16;

    /// <summary>The largest iteration exponent (the 4-bit field's maximum).</summary>
    public const int MaxIterationExponent = 15;

    /// <summary>The largest iteration exponent <see cref="Combine"/> accepts unless told otherwise: 6, that is
    /// 640,000 PBKDF2-HMAC-SHA256 iterations (well under a second). The exponent is read from the shares, before
    /// anything authenticates them: up to 15 (327,680,000 iterations, minutes of CPU per attempt) would let
    /// anyone who hands over a share make the combining machine spend that.</summary>
    public const int DefaultMaxIterationExponent = 6;

    private static readonly RandomNumberGenerator DefaultRandom = RandomNumberGenerator.Create();

    /// <summary>Splits <paramref name="masterSecret"/> into shares: any
    /// <paramref name="groupThreshold"/> groups, each with its member threshold of shares, rebuild it.</summary>
    /// <param name="masterSecret">16 to 32 bytes, an even number.</param>
    /// <param name="groupThreshold">How many groups rebuild the secret, 1 to the number of groups.</param>
    /// <param name="groups">One <see cref="GroupSpec"/> per group, 1 to 16 groups. A single-level
    /// T-of-N split is one group: <c>[new GroupSpec(T, N)]</c> with group threshold 1.</param>
    /// <param name="passphrase">Printable ASCII (32–126); empty for none. Combining with another
    /// passphrase gives another secret, without error.</param>
    /// <param name="extendable">True (the default, as SLIP-0039 recommends for new shares) for the
    /// extendable format; false for the original format, which salts the encryption with the identifier.</param>
    /// <param name="iterationExponent">PBKDF2 runs 10,000 × 2^e iterations; 0 to 15.</param>
    /// <param name="random">The source of the identifier and of the random polynomial coefficients;
    /// a cryptographic generator by default. Tests inject a deterministic one.</param>
    /// <returns>The shares, by group.</returns>
    /// <exception cref="ShareException">The secret length, a threshold or count, or the passphrase is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iterationExponent"/> is outside 0–15.</exception>
    public static ShareSet Split(ReadOnlySpan<byte> masterSecret, int groupThreshold, IReadOnlyList<GroupSpec> groups,
        string passphrase = "", bool extendable = true, int iterationExponent = 1, RandomNumberGenerator? random = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(passphrase);
        ArgumentOutOfRangeException.ThrowIfNegative(iterationExponent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterationExponent, MaxIterationExponent);
        random ??= DefaultRandom;

        CheckSecretLength(masterSecret.Length);
        var passphraseBytes = PassphraseBytes(passphrase);
        CheckGroups(groupThreshold, groups);

        Span<byte> idBytes = stackalloc byte[2];
        random.GetBytes(idBytes);
        var identifier = ((idBytes[0] << 8) | idBytes[1]) & 0x7FFF;

        var encrypted = MasterSecretCipher.Encrypt(masterSecret, passphraseBytes, iterationExponent, identifier, extendable);
        CryptographicOperations.ZeroMemory(passphraseBytes);
        var groupShares = SecretSharing.Split(groupThreshold, groups.Count, encrypted, random);
        CryptographicOperations.ZeroMemory(encrypted);

        var result = new List<ShareSetGroup>(groups.Count);
        for (var g = 0; g < groups.Count; g++)
        {
            var spec = groups[g];
            var members = SecretSharing.Split(spec.MemberThreshold, spec.MemberCount, groupShares[g].Y, random);
            var mnemonics = members
                .Select(m => new Slip39Share(identifier, extendable, iterationExponent, g, groupThreshold, groups.Count,
                    m.X, spec.MemberThreshold, m.Y).ToMnemonic())
                .ToArray();
            foreach (var member in members)
            {
                CryptographicOperations.ZeroMemory(member.Y);
            }

            result.Add(new ShareSetGroup(g, spec.MemberThreshold, mnemonics));
        }

        foreach (var share in groupShares)
        {
            CryptographicOperations.ZeroMemory(share.Y);
        }

        return new ShareSet(identifier, extendable, iterationExponent, groupThreshold, result);
    }

    /// <summary>A single-level split: any <paramref name="threshold"/> of <paramref name="count"/>
    /// shares rebuild the secret (one group, group threshold 1).</summary>
    /// <inheritdoc cref="Split(ReadOnlySpan{byte}, int, IReadOnlyList{GroupSpec}, string, bool, int, RandomNumberGenerator?)"/>
    public static ShareSet Split(ReadOnlySpan<byte> masterSecret, int threshold, int count, string passphrase = "",
        bool extendable = true, int iterationExponent = 1, RandomNumberGenerator? random = null) =>
        Split(masterSecret, 1, [new GroupSpec(threshold, count)], passphrase, extendable, iterationExponent, random);

    /// <summary>Combines shares into the master secret.</summary>
    /// <param name="mnemonics">Exactly the threshold: for each of group-threshold groups, exactly its
    /// member threshold of distinct shares (a share given twice counts once). Words are separated by
    /// white space; case does not matter.</param>
    /// <param name="passphrase">The passphrase of the split (printable ASCII); empty for none.</param>
    /// <param name="maxIterationExponent">The largest iteration exponent accepted, 0 to 15 (default
    /// <see cref="DefaultMaxIterationExponent"/>): shares asking for more are refused before any PBKDF2 runs.
    /// Raise it only for shares you made yourself with a higher exponent.</param>
    /// <returns>The master secret.</returns>
    /// <exception cref="ShareException">A share does not decode, the shares do not form one set, there
    /// are too few or too many, they ask for more key stretching than <paramref name="maxIterationExponent"/>
    /// (<see cref="ShareProblem.CostTooHigh"/>), or they do not rebuild the digest they carry.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxIterationExponent"/> is outside 0–15.</exception>
    public static byte[] Combine(IEnumerable<string> mnemonics, string passphrase = "", int maxIterationExponent = DefaultMaxIterationExponent)
    {
        ArgumentNullException.ThrowIfNull(mnemonics);
        ArgumentNullException.ThrowIfNull(passphrase);
        ArgumentOutOfRangeException.ThrowIfNegative(maxIterationExponent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxIterationExponent, MaxIterationExponent);
        var passphraseBytes = PassphraseBytes(passphrase);
        var shares = mnemonics.Select((m, i) => Slip39Share.Decode(m ?? "", i)).ToList();
        if (shares.Count == 0)
        {
            throw Error.Share(ShareProblem.TooFewShares, "no shares were given.");
        }

        var first = shares[0];
        for (var i = 1; i < shares.Count; i++)
        {
            CheckSameSet(first, shares[i], i);
        }

        // Before any work: the exponent is unauthenticated (the digest is checked only after the stretching).
        if (first.IterationExponent > maxIterationExponent)
        {
            throw Error.Share(ShareProblem.CostTooHigh,
                Invariant($"the shares ask for iteration exponent {first.IterationExponent} ({10_000L << first.IterationExponent:N0} PBKDF2 iterations); at most {maxIterationExponent} is accepted. Raise maxIterationExponent only for shares you trust."),
                0, first.Prefix);
        }

        var groups = GroupShares(shares);
        if (groups.Count != first.GroupThreshold)
        {
            throw Error.Share(groups.Count < first.GroupThreshold ? ShareProblem.TooFewShares : ShareProblem.TooManyShares,
                Invariant($"the set needs shares of exactly {first.GroupThreshold} of its {first.GroupCount} groups; shares of {groups.Count} given."));
        }

        var groupSecrets = new List<(byte X, byte[] Y)>(groups.Count);
        foreach (var group in groups)
        {
            var sample = group.Members[0].Share;
            if (group.Members.Count != sample.MemberThreshold)
            {
                throw Error.Share(group.Members.Count < sample.MemberThreshold ? ShareProblem.TooFewShares : ShareProblem.TooManyShares,
                    Invariant($"group {sample.GroupIndex + 1} (shares starting \"{GroupPrefix(sample)}\") needs exactly {sample.MemberThreshold} shares; {group.Members.Count} given."));
            }

            var points = group.Members.Select(m => ((byte)m.Share.MemberIndex, m.Share.ValueArray)).ToList();
            var secret = SecretSharing.Recover(sample.MemberThreshold, points)
                ?? throw Error.Share(ShareProblem.DigestMismatch,
                    Invariant($"the shares of group {sample.GroupIndex + 1} (starting \"{GroupPrefix(sample)}\") do not rebuild the digest they carry: one of them was altered or belongs elsewhere."));
            groupSecrets.Add(((byte)sample.GroupIndex, secret));
        }

        var encrypted = SecretSharing.Recover(first.GroupThreshold, groupSecrets)
            ?? throw Error.Share(ShareProblem.DigestMismatch,
                "the groups do not rebuild the digest they carry: a share was altered or belongs elsewhere.");
        foreach (var (_, y) in groupSecrets)
        {
            CryptographicOperations.ZeroMemory(y);
        }

        var masterSecret = MasterSecretCipher.Decrypt(encrypted, passphraseBytes, first.IterationExponent, first.Identifier, first.Extendable);
        CryptographicOperations.ZeroMemory(encrypted);
        CryptographicOperations.ZeroMemory(passphraseBytes);
        return masterSecret;
    }

    /// <summary>Decodes one mnemonic and checks its word list membership, length, checksum, padding
    /// and thresholds, without combining it with others.</summary>
    /// <exception cref="ShareException">The mnemonic is not a valid share.</exception>
    public static Slip39Share Decode(string mnemonic)
    {
        ArgumentNullException.ThrowIfNull(mnemonic);
        return Slip39Share.Decode(mnemonic, 0);
    }

    private static void CheckSecretLength(int length)
    {
        if (length < MinSecretLength || length > MaxSecretLength || length % 2 != 0)
        {
            throw Error.Share(ShareProblem.BadLength,
                Invariant($"a master secret is {MinSecretLength} to {MaxSecretLength} bytes, an even number; got {length}."));
        }
    }

    private static void CheckGroups(int groupThreshold, IReadOnlyList<GroupSpec> groups)
    {
        if (groups.Count < 1 || groups.Count > MaxShareCount)
        {
            throw Error.Share(ShareProblem.BadThreshold, Invariant($"a split has 1 to {MaxShareCount} groups; got {groups.Count}."));
        }

        if (groupThreshold < 1 || groupThreshold > groups.Count)
        {
            throw Error.Share(ShareProblem.BadThreshold,
                Invariant($"the group threshold is 1 to the number of groups ({groups.Count}); got {groupThreshold}."));
        }

        for (var g = 0; g < groups.Count; g++)
        {
            var (threshold, count) = groups[g];
            if (count < 1 || count > MaxShareCount || threshold < 1 || threshold > count)
            {
                throw Error.Share(ShareProblem.BadThreshold,
                    Invariant($"group {g + 1}: a group has 1 to {MaxShareCount} members and a member threshold of 1 to its member count; got {threshold} of {count}."));
            }

            // SLIP-0039: 1-of-N shares differ only in their index and checksum, so N > 1 is a mistake.
            if (threshold == 1 && count > 1)
            {
                throw Error.Share(ShareProblem.BadThreshold,
                    Invariant($"group {g + 1}: a member threshold of 1 requires a single member (1 of 1); got 1 of {count}."));
            }
        }
    }

    private static byte[] PassphraseBytes(string passphrase)
    {
        for (var i = 0; i < passphrase.Length; i++)
        {
            if (passphrase[i] < 32 || passphrase[i] > 126)
            {
                throw Error.Share(ShareProblem.InvalidPassphrase,
                    Invariant($"a SLIP-0039 passphrase is printable ASCII (32–126); character {i + 1} is U+{(int)passphrase[i]:X4}."));
            }
        }

        return Encoding.ASCII.GetBytes(passphrase);
    }

    private static void CheckSameSet(Slip39Share first, Slip39Share share, int index)
    {
        string? field =
            share.Identifier != first.Identifier ? "identifier"
            : share.Extendable != first.Extendable ? "extendable flag"
            : share.IterationExponent != first.IterationExponent ? "iteration exponent"
            : share.GroupThreshold != first.GroupThreshold ? "group threshold"
            : share.GroupCount != first.GroupCount ? "group count"
            : share.Value.Length != first.Value.Length ? "length"
            : null;
        if (field is not null)
        {
            throw Error.Share(ShareProblem.MixedSets,
                $"its {field} differs from that of share 1 (\"{first.Prefix} …\"): the shares come from different sets.", index, share.Prefix);
        }
    }

    private static List<ShareGroup> GroupShares(List<Slip39Share> shares)
    {
        var groups = new List<ShareGroup>();
        for (var i = 0; i < shares.Count; i++)
        {
            var share = shares[i];
            var group = groups.Find(g => g.Members[0].Share.GroupIndex == share.GroupIndex);
            if (group is null)
            {
                groups.Add(new ShareGroup([(share, i)]));
                continue;
            }

            var (sample, sampleIndex) = group.Members[0];
            if (share.MemberThreshold != sample.MemberThreshold)
            {
                throw Error.Share(ShareProblem.MixedSets,
                    Invariant($"its member threshold {share.MemberThreshold} differs from the {sample.MemberThreshold} of share {sampleIndex + 1}, in the same group."), i, share.Prefix);
            }

            var twin = group.Members.FindIndex(m => m.Share.MemberIndex == share.MemberIndex);
            if (twin < 0)
            {
                group.Members.Add((share, i));
            }
            else if (!share.Value.SequenceEqual(group.Members[twin].Share.Value))
            {
                throw Error.Share(ShareProblem.DuplicateMemberIndex,
                    Invariant($"it has the member index {share.MemberIndex + 1} of share {group.Members[twin].Position + 1} but another value."), i, share.Prefix);
            }
        }

        return groups;
    }

    private static string GroupPrefix(Slip39Share share) => string.Join(' ', share.Prefix.Split(' ').Take(3)) + " …";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record ShareGroup(List<(Slip39Share Share, int Position)> Members);
}
