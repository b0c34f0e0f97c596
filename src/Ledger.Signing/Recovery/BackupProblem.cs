namespace Ledger.Signing.Recovery;

/// <summary>Why a passphrase-wrapped master-secret backup did not open.</summary>
public enum BackupProblem
{
    /// <summary>The bytes end before the backup does.</summary>
    Truncated,

    /// <summary>The bytes do not start with the <c>ledger/backup/</c> label: not a backup.</summary>
    NotABackup,

    /// <summary>A backup of a version this software does not read.</summary>
    UnknownVersion,

    /// <summary>Argon2id parameters outside the range a backup may ask for.</summary>
    BadParameters,

    /// <summary>The ciphertext cannot hold a master secret of 16 to 32 bytes of even length.</summary>
    BadLength,

    /// <summary>Authentication failed: the passphrase is wrong or the bytes were altered. The two
    /// cannot be told apart, by design of authenticated encryption.</summary>
    WrongPassphraseOrAltered,
}
