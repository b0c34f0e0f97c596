using Ledger.Kernel;
using Ledger.Signing.Recovery;
using NSec.Cryptography;

namespace Ledger.Signing.Tests.Recovery;

/// <summary>A3 (lost signing key), the recovery half: the master secret lives only in the shares, and
/// k of them rebuild every key of the author on a device that has nothing else.</summary>
public class RecoveryWitnessTests
{
    private static readonly AuthorId Author = new("till-7");

    [Fact]
    [Trait("Risk", "A3")]
    public void A_wiped_device_rebuilds_every_author_key_from_k_shares_and_k_minus_1_shares_fail_clearly()
    {
        // Setup on the original device: a fresh master secret, its first keys, then the shares.
        var master = new byte[32];
        new DeterministicRandom(2026).GetBytes(master);
        var publicKeys = Enumerable.Range(0, 3).Select(i => PublicKeyOf(master, (uint)i)).ToList();
        var shares = Slip39.Split(master, 2, [new GroupSpec(2, 3), new GroupSpec(3, 5), GroupSpec.Single], "TREZOR",
            iterationExponent: 0, random: new DeterministicRandom(1)).Groups;
        Array.Clear(master); // the device is wiped: only the shares (and the public chain) remain

        // Recovery: two groups' worth of shares, brought back by their holders in any order.
        var gathered = new[] { shares[1].Mnemonics[4], shares[2].Mnemonics[0], shares[1].Mnemonics[0], shares[1].Mnemonics[2] };
        var recovered = Slip39.Combine(gathered, "TREZOR");
        Assert.Equal(publicKeys, Enumerable.Range(0, 3).Select(i => PublicKeyOf(recovered, (uint)i)));

        // One share short: a clear error, never a wrong key.
        var error = Assert.Throws<ShareException>(() => Slip39.Combine(gathered[..3], "TREZOR"));
        Assert.Equal(ShareProblem.TooFewShares, error.Problem);
        Assert.Contains("needs exactly 3 shares; 2 given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "A3")]
    public void A_passphrase_wrapped_backup_rebuilds_the_same_keys_and_opens_with_nothing_else()
    {
        var master = new byte[16];
        new DeterministicRandom(7).GetBytes(master);
        var expected = PublicKeyOf(master, 1);
        var backup = MasterSecretBackup.Wrap(master, "correct horse battery staple", new BackupParameters(64, 1), new DeterministicRandom(8));

        Assert.Equal(expected, PublicKeyOf(MasterSecretBackup.Unwrap(backup, "correct horse battery staple"), 1));
        var error = Assert.Throws<BackupException>(() => MasterSecretBackup.Unwrap(backup, "correct horse battery stapler"));
        Assert.Equal(BackupProblem.WrongPassphraseOrAltered, error.Problem);
    }

    private static string PublicKeyOf(byte[] master, uint keyIndex)
    {
        var seed = AuthorKeySeeds.Derive(master, Author, keyIndex);
        using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        return Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }
}
