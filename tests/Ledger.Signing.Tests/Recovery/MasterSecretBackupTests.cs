using System.Text;
using Ledger.Signing.Recovery;

namespace Ledger.Signing.Tests.Recovery;

public class MasterSecretBackupTests
{
    // Cheap Argon2id so that tests stay fast; production uses BackupParameters.Default.
    private static readonly BackupParameters Fast = new(64, 1);

    // Checked outside .NET: Python's cryptography package (Argon2id, ChaCha20-Poly1305) with a
    // hand-written HChaCha20 opens these bytes to the secret.
    private const string GoldenCiphertext = "597556a819548653f06c393ced351312df364f4352d2934d9f770fbbe359eefc";

    private static readonly byte[] Secret = Convert.FromHexString("f57017077bf01b6eaab7266190fedd4301f2d4938f00432d3b38b53d880cb7bc");

    private static byte[] Wrap(byte[]? secret = null, string passphrase = "pass phrase", int seed = 1) =>
        MasterSecretBackup.Wrap(secret ?? Secret, passphrase, Fast, new DeterministicRandom(seed));

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void A_backup_round_trips(int length)
    {
        var secret = Secret[..length];
        var backup = Wrap(secret);
        Assert.Equal(MasterSecretBackup.HeaderLength + length + 16, backup.Length);
        Assert.Equal(secret, MasterSecretBackup.Unwrap(backup, "pass phrase"));
    }

    [Fact]
    public void The_v1_layout_is_pinned()
    {
        // label ‖ u32be memory KiB ‖ u32be passes ‖ salt 16 ‖ nonce 24 ‖ ciphertext+tag; the pinned
        // ciphertext pins Argon2id and XChaCha20-Poly1305 too, for a fixed salt and nonce.
        var backup = MasterSecretBackup.Wrap(Secret[..16], "pass phrase", new BackupParameters(64, 2), new DeterministicRandom(42));
        Assert.Equal("ledger/backup/v1", Encoding.ASCII.GetString(backup, 0, 16));
        Assert.Equal("00000040" + "00000002", Convert.ToHexStringLower(backup.AsSpan(16, 8)));
        var rng = new DeterministicRandom(42);
        var saltAndNonce = new byte[40];
        rng.GetBytes(saltAndNonce, 0, 16);
        rng.GetBytes(saltAndNonce, 16, 24);
        Assert.Equal(saltAndNonce, backup[24..64]);
        Assert.Equal(GoldenCiphertext, Convert.ToHexStringLower(backup.AsSpan(64)));
    }

    [Fact]
    public void The_default_cost_is_production_grade_and_in_range()
    {
        Assert.True(BackupParameters.Default.IsValid);
        Assert.True(BackupParameters.Default.MemorySizeKiB >= 64 * 1024);
        Assert.True(BackupParameters.Default.Passes >= 2);
    }

    [Fact]
    public void The_passphrase_is_normalized_so_composed_and_decomposed_accents_open_alike()
    {
        var backup = Wrap(passphrase: "caf\u00e9 cr\u00e8me");
        Assert.Equal(Secret, MasterSecretBackup.Unwrap(backup, "cafe\u0301 cre\u0300me"));
    }

    [Fact]
    public void A_wrong_passphrase_is_a_typed_error()
    {
        var error = Assert.Throws<BackupException>(() => MasterSecretBackup.Unwrap(Wrap(), "pass phrasE"));
        Assert.Equal(BackupProblem.WrongPassphraseOrAltered, error.Problem);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Every_single_byte_mutation_fails_typed()
    {
        var backup = Wrap();
        for (var offset = 0; offset < backup.Length; offset++)
        {
            foreach (var flip in new byte[] { 0x01, 0x80 })
            {
                var mutated = (byte[])backup.Clone();
                mutated[offset] ^= flip;
                Assert.Throws<BackupException>(() => MasterSecretBackup.Unwrap(mutated, "pass phrase"));
            }
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Truncated_or_extended_bytes_fail_typed()
    {
        var backup = Wrap();
        for (var length = 0; length < backup.Length; length++)
        {
            Assert.Throws<BackupException>(() => MasterSecretBackup.Unwrap(backup.AsSpan(0, length), "pass phrase"));
        }

        Assert.Throws<BackupException>(() => MasterSecretBackup.Unwrap([.. backup, 0], "pass phrase"));
        Assert.Throws<BackupException>(() => MasterSecretBackup.Unwrap([.. backup, 0, 0], "pass phrase"));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Random_bytes_fail_typed()
    {
        var random = new Random(3);
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 140)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length >= 16)
            {
                Encoding.ASCII.GetBytes("ledger/backup/v1").CopyTo(bytes, 0);
            }

            Assert.Throws<BackupException>(() => MasterSecretBackup.Unwrap(bytes, "pass phrase"));
        }
    }

    [Theory]
    [InlineData("ledger/backup/v2", BackupProblem.UnknownVersion)]
    [InlineData("ledger/checkpoi1", BackupProblem.NotABackup)]
    public void Another_label_is_named(string label, BackupProblem problem)
    {
        var backup = Wrap();
        Encoding.ASCII.GetBytes(label).CopyTo(backup, 0);
        Assert.Equal(problem, Assert.Throws<BackupException>(() => MasterSecretBackup.Unwrap(backup, "pass phrase")).Problem);
    }

    [Theory]
    [InlineData(0u, 1u)]
    [InlineData(7u, 1u)]
    [InlineData((1u << 20) + 1, 1u)]
    [InlineData(uint.MaxValue, 1u)]
    [InlineData(64u, 0u)]
    [InlineData(64u, 17u)]
    [InlineData(64u, uint.MaxValue)]
    [InlineData((1u << 18) + 1, 1u)]
    [InlineData(1u << 18, 5u)]
    [InlineData((1u << 16) + 1, 16u)]
    [Trait("Category", "BadInput")]
    public void A_cost_outside_the_bounds_is_refused_before_any_work(uint memory, uint passes)
    {
        var backup = Wrap();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(backup.AsSpan(16), memory);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(backup.AsSpan(20), passes);
        Assert.Equal(BackupProblem.BadParameters, Assert.Throws<BackupException>(() => MasterSecretBackup.Unwrap(backup, "pass phrase")).Problem);
        Assert.Throws<ArgumentException>(() => MasterSecretBackup.Wrap(Secret, "x", new BackupParameters(memory, passes)));
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public void A_hostile_header_asking_for_1_GiB_and_16_passes_is_refused_fast_before_any_key_derivation()
    {
        // 112 bytes: the shape of a real backup with a 32-byte secret, its cost rewritten to the old upper bounds,
        // which took 13 s and 1 GiB before the tag could fail.
        var backup = Wrap();
        Assert.Equal(112, backup.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(backup.AsSpan(16), 1u << 20);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(backup.AsSpan(20), 16u);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<BackupException>(() => MasterSecretBackup.Unwrap(backup, "pass phrase"));
        clock.Stop();
        Assert.Equal(BackupProblem.BadParameters, error.Problem);
        Assert.Contains("1048576 KiB", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"refusing took {clock.Elapsed}");

        // The worst cost still allowed is bounded by the product rule, and the default is within it.
        Assert.False(new BackupParameters(BackupParameters.MaxMemorySizeKiB, BackupParameters.MaxPasses).IsValid);
        Assert.True((ulong)BackupParameters.Default.MemorySizeKiB * BackupParameters.Default.Passes <= BackupParameters.MaxWorkKiB);
    }

    [Fact]
    public void Wrapping_refuses_bad_secrets_and_empty_passphrases()
    {
        Assert.Throws<ArgumentException>(() => MasterSecretBackup.Wrap(new byte[15], "x", Fast));
        Assert.Throws<ArgumentException>(() => MasterSecretBackup.Wrap(new byte[34], "x", Fast));
        Assert.Throws<ArgumentException>(() => MasterSecretBackup.Wrap(Secret, "", Fast));
    }

    [Fact]
    public void Two_backups_of_one_secret_differ_in_salt_and_nonce()
    {
        var a = MasterSecretBackup.Wrap(Secret, "p", Fast);
        var b = MasterSecretBackup.Wrap(Secret, "p", Fast);
        Assert.NotEqual(a[24..64], b[24..64]);
        Assert.Equal(MasterSecretBackup.Unwrap(a, "p"), MasterSecretBackup.Unwrap(b, "p"));
    }
}
