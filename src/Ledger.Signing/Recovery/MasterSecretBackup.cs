using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Ledger.Signing.Recovery;

/// <summary>A master secret wrapped under a passphrase: Argon2id derives a key, XChaCha20-Poly1305
/// seals the secret, and the header (label, Argon2id parameters, salt, nonce) is authenticated as
/// associated data. The byte layout is in docs/wire-format.md, "Recovery: shares and backups".</summary>
/// <remarks>Layout of version 1: <c>"ledger/backup/v1"</c> (16 bytes) ‖ u32be(memory KiB) ‖
/// u32be(passes) ‖ salt (16) ‖ nonce (24) ‖ ciphertext (secret length + 16-byte tag).</remarks>
public static class MasterSecretBackup
{
    /// <summary>The label, and version, every backup starts with.</summary>
    public const string Label = "ledger/backup/v1";

    /// <summary>The bytes before the ciphertext, all authenticated.</summary>
    public const int HeaderLength = LabelLength + 4 + 4 + SaltLength + NonceLength;

    private const string LabelStem = "ledger/backup/";
    private const int LabelLength = 16;
    private const int SaltLength = 16;
    private const int NonceLength = 24;
    private const int TagLength = 16;
    private const int MemoryOffset = LabelLength;
    private const int PassesOffset = MemoryOffset + 4;
    private const int SaltOffset = PassesOffset + 4;
    private const int NonceOffset = SaltOffset + SaltLength;

    private static readonly RandomNumberGenerator DefaultRandom = RandomNumberGenerator.Create();

    /// <summary>Wraps <paramref name="masterSecret"/> under <paramref name="passphrase"/>.</summary>
    /// <param name="masterSecret">16 to 32 bytes, an even number (the SLIP-0039 master secret).</param>
    /// <param name="passphrase">Any non-empty text; it is normalized to Unicode NFC before UTF-8
    /// encoding so that the same passphrase typed on another keyboard or system opens the backup.</param>
    /// <param name="parameters">The Argon2id cost; <see cref="BackupParameters.Default"/> when null.</param>
    /// <param name="random">The source of the salt and nonce; a cryptographic generator by default.</param>
    /// <returns>The backup bytes.</returns>
    /// <exception cref="ArgumentException">The secret length, the passphrase or the parameters are invalid.</exception>
    public static byte[] Wrap(ReadOnlySpan<byte> masterSecret, string passphrase, BackupParameters? parameters = null, RandomNumberGenerator? random = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        if (!IsSecretLength(masterSecret.Length))
        {
            throw Error.Argument($"a master secret is 16 to 32 bytes, an even number; got {masterSecret.Length}.", nameof(masterSecret));
        }

        var cost = parameters ?? BackupParameters.Default;
        if (!cost.IsValid)
        {
            throw Error.Argument($"{BackupParameters.Bounds}; got {cost.MemorySizeKiB} KiB, {cost.Passes} passes.", nameof(parameters));
        }

        random ??= DefaultRandom;
        var backup = new byte[HeaderLength + masterSecret.Length + TagLength];
        Encoding.ASCII.GetBytes(Label, backup);
        BinaryPrimitives.WriteUInt32BigEndian(backup.AsSpan(MemoryOffset), cost.MemorySizeKiB);
        BinaryPrimitives.WriteUInt32BigEndian(backup.AsSpan(PassesOffset), cost.Passes);
        random.GetBytes(backup, SaltOffset, SaltLength);
        random.GetBytes(backup, NonceOffset, NonceLength);

        using var key = DeriveKey(passphrase, backup.AsSpan(SaltOffset, SaltLength), cost);
        AeadAlgorithm.XChaCha20Poly1305.Encrypt(key, backup.AsSpan(NonceOffset, NonceLength), backup.AsSpan(0, HeaderLength),
            masterSecret, backup.AsSpan(HeaderLength));
        return backup;
    }

    /// <summary>Opens a backup made by <see cref="Wrap"/>.</summary>
    /// <param name="backup">The backup bytes (untrusted).</param>
    /// <param name="passphrase">The passphrase it was wrapped under.</param>
    /// <returns>The master secret.</returns>
    /// <exception cref="BackupException">The bytes are not a backup this software reads, ask for an
    /// out-of-range cost, or do not authenticate under the passphrase.</exception>
    public static byte[] Unwrap(ReadOnlySpan<byte> backup, string passphrase)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        if (backup.Length < LabelLength)
        {
            throw Error.Backup(BackupProblem.Truncated, backup.Length, $"a backup starts with the {LabelLength}-byte label \"{Label}\"; only {backup.Length} bytes were given.");
        }

        if (!backup[..LabelLength].SequenceEqual(Encoding.ASCII.GetBytes(Label)))
        {
            var isOtherVersion = backup[..LabelStem.Length].SequenceEqual(Encoding.ASCII.GetBytes(LabelStem));
            throw isOtherVersion
                ? Error.Backup(BackupProblem.UnknownVersion, LabelStem.Length, $"this software reads \"{Label}\" backups.")
                : Error.Backup(BackupProblem.NotABackup, 0, $"the bytes do not start with \"{Label}\".");
        }

        if (backup.Length < HeaderLength + TagLength)
        {
            throw Error.Backup(BackupProblem.Truncated, backup.Length, $"a backup has at least {HeaderLength + TagLength} bytes; {backup.Length} were given.");
        }

        var cost = new BackupParameters(BinaryPrimitives.ReadUInt32BigEndian(backup[MemoryOffset..]), BinaryPrimitives.ReadUInt32BigEndian(backup[PassesOffset..]));
        if (!cost.IsValid)
        {
            // Refused before any key derivation: the header is not authenticated until the key it costs exists.
            var offset = cost.MemorySizeKiB is >= BackupParameters.MinMemorySizeKiB and <= BackupParameters.MaxMemorySizeKiB ? PassesOffset : MemoryOffset;
            throw Error.Backup(BackupProblem.BadParameters, offset,
                $"{BackupParameters.Bounds}; the backup asks for {cost.MemorySizeKiB} KiB, {cost.Passes} passes.");
        }

        var ciphertext = backup[HeaderLength..];
        if (!IsSecretLength(ciphertext.Length - TagLength))
        {
            throw Error.Backup(BackupProblem.BadLength, HeaderLength,
                $"the ciphertext holds {ciphertext.Length - TagLength} bytes; a master secret is 16 to 32 bytes, an even number.");
        }

        using var key = DeriveKey(passphrase, backup.Slice(SaltOffset, SaltLength), cost);
        var secret = new byte[ciphertext.Length - TagLength];
        if (!AeadAlgorithm.XChaCha20Poly1305.Decrypt(key, backup.Slice(NonceOffset, NonceLength), backup[..HeaderLength], ciphertext, secret))
        {
            throw Error.Backup(BackupProblem.WrongPassphraseOrAltered, HeaderLength,
                "the backup does not authenticate: the passphrase is wrong or the bytes were altered.");
        }

        return secret;
    }

    private static bool IsSecretLength(int length) =>
        length is >= Slip39.MinSecretLength and <= Slip39.MaxSecretLength && length % 2 == 0;

    private static Key DeriveKey(string passphrase, ReadOnlySpan<byte> salt, BackupParameters cost)
    {
        var argon = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = cost.MemorySizeKiB,
            NumberOfPasses = cost.Passes,
        });
        var password = Encoding.UTF8.GetBytes(passphrase.Normalize(NormalizationForm.FormC));
        try
        {
            return argon.DeriveKey(password, salt, AeadAlgorithm.XChaCha20Poly1305);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }
}
